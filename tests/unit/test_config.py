"""The config object refuses what the Terraform `rules` variable refuses, in words that name the problem."""

import json

import pytest

from jit_access.config import Config, Policy, Rule
from jit_access.errors import ConfigError

PROD = "111111111111"


def rule(**fields):
    base = {"accounts": [PROD], "permission_sets": ["AdministratorAccess"], "approvers": ["bob@example.com"]}
    return base | fields


def parse(*rules: dict) -> Config:
    return Config.parse(json.dumps({"slack": {"team_id": "T1", "channel_id": "C1"}, "rules": list(rules)}))


def test_a_config_is_a_policy_the_decisions_can_read():
    config = parse(rule(id="prod-admin"))
    assert isinstance(config, Policy)
    assert config.default_max_duration_delta.total_seconds() == 8 * 3600


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"accounts": []}, "rules[0].accounts: needs at least 1 entry"),
        ({"permission_sets": ["Admin Access"]}, "not a permission set name"),
        ({"approvers": ["bob"]}, "not an email address"),
        ({"approvers": ["bob@localhost"]}, "not an email address"),
        ({"id": "prod admin"}, "not a rule id"),
        ({"max_duration": "2 hours"}, '"2 hours" is not a duration such as 30m, 2h or 1h30m'),
        ({"max_duration": "0h"}, "longer than zero"),
        ({"required_approvals": 2}, "needs 2 approval(s) but names 1 approver(s)"),
        ({"approvers": []}, "needs 1 approval(s) but names 0 approver(s)"),
        ({"approvers": [], "approval_not_required": False}, "names 0 approver(s)"),
    ],
)
def test_what_terraform_refuses_the_functions_refuse(fields, words):
    with pytest.raises(ConfigError) as raised:
        parse(rule(**fields))
    assert words in str(raised.value)


def test_a_rule_that_needs_no_approval_needs_no_approvers():
    (read_only,) = parse(rule(approvers=[], approval_not_required=True)).rules
    assert read_only.approvers == ()


def test_the_same_approver_twice_counts_once_towards_the_quorum():
    with pytest.raises(ConfigError, match="names 1 approver"):
        parse(rule(approvers=["bob@example.com", "BOB@example.com"], required_approvals=2))


def test_a_ticket_pattern_that_is_not_a_regular_expression_is_a_config_error():
    # Regression: re.error is not a ValueError, so it escaped pydantic and Config.parse as a crash.
    with pytest.raises(ConfigError, match="not a regular expression"):
        parse(rule(ticket_pattern="(OPS-[0-9]+"))


def test_repeated_ids_name_both_rules():
    with pytest.raises(ConfigError, match=r"rules\[0\] and rules\[2\] have the same id 'prod'"):
        parse(rule(id="prod"), rule(id="other"), rule(id="prod"))


def test_two_rules_without_ids_on_the_same_targets_are_told_to_name_themselves():
    with pytest.raises(ConfigError, match="have no id and the same accounts"):
        parse(rule(), rule(approvers=["carol@example.com"]))


def test_a_derived_id_does_not_depend_on_the_position_of_the_rule():
    assert Rule.model_validate(rule()).id == Rule.model_validate(rule(max_duration="1h")).id
