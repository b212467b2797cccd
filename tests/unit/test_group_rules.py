"""Group targets: decided by the same functions as account targets, over the group rules only."""

from datetime import timedelta

import pytest

from jit_access.config import Config, GroupRule
from jit_access.core.rules import Outcome, Target, check_approver, decide_request, matching_rules

PROD = "111111111111"
ONCALL_ID = "a1b2c3d4-0000-1111-2222-333344445555"
ONCALL = Target.group(ONCALL_ID, "Oncall")
HOUR = timedelta(hours=1)
ANY_ACCOUNT = {
    "id": "anything",
    "accounts": ["*"],
    "permission_sets": ["*"],
    "approvers": ["zed@example.com"],
}


def config(*group_rules: dict, rules: tuple[dict, ...] = ()) -> Config:
    return Config.model_validate(
        {
            "slack": {"team_id": "T1", "channel_id": "C1"},
            "rules": list(rules),
            "group_rules": list(group_rules),
        }
    )


def decide(cfg, target=ONCALL, requester="alice@example.com", duration=HOUR, reason="paged at night"):
    return decide_request(cfg, requester_email=requester, target=target, duration=duration, reason=reason)


def test_a_group_rule_names_its_group_by_display_name_or_by_id():
    for entry in ("Oncall", ONCALL_ID):
        cfg = config({"id": "oncall", "groups": [entry], "approvers": ["lead@example.com"]})
        decision = decide(cfg)
        assert decision.outcome is Outcome.NEEDS_APPROVAL
        assert decision.approvers == {"lead@example.com"} and decision.rule_ids == ("oncall",)


def test_a_group_target_never_matches_account_rules_and_an_account_target_never_matches_group_rules():
    cfg = config(
        {"id": "oncall", "groups": ["Oncall"], "approvers": ["lead@example.com"]}, rules=(ANY_ACCOUNT,)
    )
    assert [r.id for r in matching_rules((*cfg.rules, *cfg.group_rules), ONCALL)] == ["oncall"]
    assert [r.id for r in matching_rules((*cfg.rules, *cfg.group_rules), Target(PROD, "Admin"))] == [
        "anything"
    ]
    other = decide(cfg, Target.group("ffffffff-0000-1111-2222-333344445555", "Payroll"))
    assert other.outcome is Outcome.REFUSED and other.field == "target"
    assert "membership of group Payroll" in other.reason


def test_an_explicit_false_in_one_group_rule_overrides_true_in_another():
    cfg = config(
        {
            "id": "team",
            "groups": ["Oncall"],
            "approvers": ["alice@example.com", "bob@example.com"],
            "allow_self_approval": True,
        },
        {
            "id": "never-self",
            "groups": [ONCALL_ID],
            "approvers": ["bob@example.com"],
            "allow_self_approval": False,
        },
    )
    decision = decide(cfg)
    assert decision.outcome is Outcome.NEEDS_APPROVAL and decision.approvers == {"bob@example.com"}
    without_deny = config(cfg.group_rules[0].model_dump())
    assert decide(without_deny).outcome is Outcome.SELF_APPROVED
    auto = config(
        {"id": "auto", "groups": ["Oncall"], "approval_not_required": True},
        {
            "id": "look",
            "groups": ["Oncall"],
            "approvers": ["bob@example.com"],
            "approval_not_required": False,
        },
    )
    assert decide(auto).outcome is Outcome.NEEDS_APPROVAL


def test_group_rules_take_the_union_of_approvers_the_largest_quorum_and_the_shortest_limit():
    cfg = config(
        {"id": "a", "groups": ["Oncall"], "approvers": ["bob@example.com"], "max_duration": "4h"},
        {
            "id": "b",
            "groups": ["Oncall"],
            "approvers": ["carol@example.com", "dan@example.com"],
            "required_approvals": 2,
            "max_duration": "2h",
        },
    )
    decision = decide(cfg)
    assert decision.approvers == {"bob@example.com", "carol@example.com", "dan@example.com"}
    assert decision.required_approvals == 2 and decision.max_duration == timedelta(hours=2)
    too_long = decide(cfg, duration=timedelta(hours=3))
    assert too_long.outcome is Outcome.REFUSED and too_long.field == "duration"


def test_a_group_rule_refuses_a_reason_too_short_or_without_its_ticket():
    cfg = config(
        {
            "id": "o",
            "groups": ["Oncall"],
            "approvers": ["bob@example.com"],
            "reason_min_length": 10,
            "ticket_pattern": "INC-[0-9]+",
        }
    )
    assert decide(cfg, reason="short").field == "reason"
    assert decide(cfg, reason="a long enough reason").field == "ticket"
    assert decide(cfg, reason="INC-7 paged at night").outcome is Outcome.NEEDS_APPROVAL


def test_a_click_on_a_group_request_is_checked_against_the_group_rules():
    cfg = config({"id": "o", "groups": ["Oncall"], "approvers": ["bob@example.com"]}, rules=(ANY_ACCOUNT,))

    def click(approver):
        return check_approver(
            cfg, approver_email=approver, requester_email="alice@example.com", target=ONCALL, duration=HOUR
        )

    assert click("bob@example.com").allowed
    refused = click("zed@example.com")  # approves every account, not the group
    assert not refused.allowed and "not an approver for this group" in refused.reason
    assert not click("alice@example.com").allowed


def test_a_group_rule_without_enough_approvers_is_refused_like_a_rule():
    with pytest.raises(ValueError, match="could never be approved"):
        GroupRule.model_validate(
            {"groups": ["Oncall"], "required_approvals": 2, "approvers": ["b@example.com"]}
        )
    with pytest.raises(ValueError, match="not a group display name"):
        GroupRule.model_validate({"groups": ["  "], "approval_not_required": True})


def test_group_rule_ids_are_derived_from_the_groups_and_must_be_unique():
    rule = GroupRule.model_validate({"groups": ["Oncall"], "approval_not_required": True})
    assert rule.id.startswith("group-rule-")
    with pytest.raises(
        ValueError, match=r"group_rules\[0\] and group_rules\[1\] have no id and the same groups"
    ):
        config(
            {"groups": ["Oncall"], "approval_not_required": True},
            {"groups": ["Oncall"], "approvers": ["b@x.io"]},
        )
