from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from jit_access.config import Config
from jit_access.core.rules import (
    Outcome,
    Target,
    check_approver,
    decide_request,
    requestable_accounts,
    requestable_permission_sets,
)

PROD = "111111111111"
LOGS = "222222222222"


def config(*rules: dict, **extra) -> Config:
    return Config.model_validate(
        {"slack": {"team_id": "T1", "channel_id": "C1"}, "rules": list(rules), **extra}
    )


ADMIN = Target(PROD, "AdministratorAccess")
HOUR = timedelta(hours=1)


def decide(
    cfg, requester="alice@example.com", target=ADMIN, duration=HOUR, reason="incident 42", ticket=None
):
    return decide_request(
        cfg, requester_email=requester, target=target, duration=duration, reason=reason, ticket=ticket
    )


def test_request_with_an_approver_waits_for_that_approver():
    cfg = config(
        {"accounts": [PROD], "permission_sets": ["AdministratorAccess"], "approvers": ["Bob@Example.com"]}
    )
    decision = decide(cfg)
    assert decision.outcome is Outcome.NEEDS_APPROVAL
    assert decision.approvers == {"bob@example.com"}
    assert decision.rule_ids == (cfg.rules[0].id,)


def test_no_matching_rule_is_refused_in_words():
    cfg = config(
        {"accounts": [LOGS], "permission_sets": ["ReadOnlyAccess"], "approvers": ["bob@example.com"]}
    )
    decision = decide(cfg)
    assert decision.outcome is Outcome.REFUSED
    assert "no rule" in decision.reason and decision.field == "target"


def test_self_approval_grants_at_once_and_names_the_rule():
    cfg = config(
        {
            "id": "logs-ro",
            "accounts": [LOGS],
            "permission_sets": ["ReadOnlyAccess"],
            "approvers": ["carol@example.com"],
            "allow_self_approval": True,
        }
    )
    decision = decide(cfg, requester="CAROL@example.com", target=Target(LOGS, "ReadOnlyAccess"))
    assert decision.outcome is Outcome.SELF_APPROVED
    assert decision.rule_ids == ("logs-ro",)


def test_self_approval_needs_the_requester_to_be_an_approver():
    cfg = config(
        {
            "accounts": [LOGS],
            "permission_sets": ["*"],
            "approvers": ["carol@example.com"],
            "allow_self_approval": True,
        }
    )
    decision = decide(cfg, requester="alice@example.com", target=Target(LOGS, "ReadOnlyAccess"))
    assert decision.outcome is Outcome.NEEDS_APPROVAL


def test_requester_alone_without_self_approval_cannot_be_approved():
    cfg = config({"accounts": [PROD], "permission_sets": ["*"], "approvers": ["alice@example.com"]})
    decision = decide(cfg)
    assert decision.outcome is Outcome.REFUSED
    assert "other than the requester" in decision.reason


def test_explicit_false_in_one_rule_overrides_true_in_another():
    cfg = config(
        {
            "id": "open",
            "accounts": ["*"],
            "permission_sets": ["*"],
            "approvers": ["bob@example.com"],
            "approval_not_required": True,
        },
        {
            "id": "prod",
            "accounts": [PROD],
            "permission_sets": ["*"],
            "approvers": ["bob@example.com"],
            "approval_not_required": False,
        },
    )
    assert decide(cfg).outcome is Outcome.NEEDS_APPROVAL
    assert decide(cfg, target=Target(LOGS, "ReadOnlyAccess")).outcome is Outcome.AUTO_APPROVED


@given(
    st.lists(
        st.tuples(st.sampled_from([None, True, False]), st.sampled_from([None, True, False])),
        min_size=1,
        max_size=5,
    )
)
def test_explicit_false_wins_for_any_combination_of_rules(flags):
    cfg = config(
        *[
            {
                "id": f"r{i}",
                "accounts": [PROD],
                "permission_sets": ["*"],
                "approvers": ["alice@example.com", "bob@example.com"],
                "allow_self_approval": self_ok,
                "approval_not_required": auto,
            }
            for i, (self_ok, auto) in enumerate(flags)
        ]
    )
    self_flags = {s for s, _ in flags}
    auto_flags = {a for _, a in flags}
    if False not in auto_flags and True in auto_flags:
        expected = Outcome.AUTO_APPROVED
    elif False not in self_flags and True in self_flags:
        expected = Outcome.SELF_APPROVED
    else:
        expected = Outcome.NEEDS_APPROVAL
    assert decide(cfg).outcome is expected


def test_most_restrictive_max_duration_wins():
    cfg = config(
        {"accounts": ["*"], "permission_sets": ["*"], "approvers": ["bob@example.com"], "max_duration": "4h"},
        {
            "accounts": [PROD],
            "permission_sets": ["*"],
            "approvers": ["bob@example.com"],
            "max_duration": "1h",
        },
    )
    refused = decide(cfg, duration=timedelta(hours=2))
    assert refused.outcome is Outcome.REFUSED and refused.field == "duration"
    assert decide(cfg, duration=HOUR).outcome is Outcome.NEEDS_APPROVAL
    assert (
        decide(cfg, target=Target(LOGS, "X"), duration=timedelta(hours=4)).outcome is Outcome.NEEDS_APPROVAL
    )


def test_global_default_max_duration_applies_without_a_rule_limit():
    cfg = config(
        {"accounts": ["*"], "permission_sets": ["*"], "approvers": ["bob@example.com"]},
        default_max_duration="2h",
    )
    assert decide(cfg, duration=timedelta(hours=3)).outcome is Outcome.REFUSED


def test_excluded_account_is_not_covered_by_a_wildcard():
    cfg = config(
        {
            "accounts": ["*"],
            "exclude_accounts": [PROD],
            "permission_sets": ["*"],
            "approvers": ["bob@example.com"],
        }
    )
    assert decide(cfg).outcome is Outcome.REFUSED
    assert requestable_accounts(cfg, {PROD: "production", LOGS: "logs"}) == [LOGS]


def test_quorum_is_the_largest_and_approvers_the_union():
    cfg = config(
        {
            "accounts": [PROD],
            "permission_sets": ["*"],
            "approvers": ["bob@example.com", "erin@example.com"],
            "required_approvals": 2,
        },
        {"accounts": ["*"], "permission_sets": ["*"], "approvers": ["dan@example.com"]},
    )
    decision = decide(cfg)
    assert decision.required_approvals == 2
    assert decision.approvers == {"bob@example.com", "erin@example.com", "dan@example.com"}


def test_ticket_pattern_is_enforced():
    cfg = config(
        {
            "accounts": ["*"],
            "permission_sets": ["*"],
            "approvers": ["bob@example.com"],
            "ticket_pattern": "OPS-[0-9]+",
        }
    )
    assert decide(cfg).field == "ticket"
    assert decide(cfg, ticket="OPS-12").outcome is Outcome.NEEDS_APPROVAL


class TestClicks:
    cfg = config(
        {
            "accounts": [PROD],
            "permission_sets": ["AdministratorAccess"],
            "approvers": ["bob@example.com"],
            "max_duration": "2h",
        }
    )

    def check(self, approver, duration=HOUR, cfg=None):
        return check_approver(
            cfg or self.cfg,
            approver_email=approver,
            requester_email="alice@example.com",
            target=ADMIN,
            duration=duration,
        )

    def test_named_approver_may_approve(self):
        assert self.check("BOB@example.com").allowed

    def test_anyone_else_is_refused_with_a_reason(self):
        check = self.check("mallory@example.com")
        assert not check.allowed and "not an approver" in check.reason

    def test_requester_cannot_approve_their_own(self):
        cfg = config(
            {
                "accounts": [PROD],
                "permission_sets": ["*"],
                "approvers": ["alice@example.com", "bob@example.com"],
            }
        )
        assert not self.check("alice@example.com", cfg=cfg).allowed

    def test_duration_is_rechecked_against_the_rules_of_now(self):
        assert not self.check("bob@example.com", duration=timedelta(hours=3)).allowed


def test_requestable_lists_named_targets_or_everything_known_for_wildcards():
    cfg = config(
        {"accounts": [PROD], "permission_sets": ["AdministratorAccess"], "approvers": ["bob@example.com"]}
    )
    assert requestable_accounts(cfg, {LOGS: "logs"}) == [PROD]
    assert requestable_permission_sets(cfg, ["ReadOnlyAccess"]) == ["AdministratorAccess"]
    wild = config({"accounts": ["*"], "permission_sets": ["*"], "approvers": ["bob@example.com"]})
    assert requestable_accounts(wild, {LOGS: "logs"}) == [LOGS]
    assert requestable_permission_sets(wild, ["B", "A"]) == ["A", "B"]
