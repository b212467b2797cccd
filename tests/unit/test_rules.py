import random
from datetime import timedelta

from hypothesis import example, given, settings
from hypothesis import strategies as st

from jit_access.config import Config
from jit_access.core.rules import (
    Outcome,
    Target,
    check_approver,
    decide_request,
    matching_rules,
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


# --- invariants over any rule set (property-based) -------------------------------------------------------

PEOPLE = ["alice@example.com", "bob@example.com", "carol@example.com", "dan@example.com"]
SANDBOX_OU = "ou-ab12-sandbox1"
OU_ACCOUNTS = {SANDBOX_OU: frozenset({LOGS})}
TRI = st.sampled_from([None, True, False])
# Rule sets combine in many ways: look at more of them than hypothesis does by default.
MANY = settings(max_examples=400)


@st.composite
def rules_st(draw, **fixed):
    """A valid rule: the quorum never exceeds the approvers unless no approval is required."""
    approvers = draw(st.lists(st.sampled_from(PEOPLE), unique=True, max_size=4))
    approval_not_required = fixed.get("approval_not_required", draw(TRI))
    most = max(len(approvers), 1) if approval_not_required else len(approvers)
    if most == 0:
        approvers, most = [draw(st.sampled_from(PEOPLE))], 1
    return {
        "accounts": draw(st.lists(st.sampled_from([PROD, LOGS, "*", SANDBOX_OU]), min_size=1, max_size=2)),
        "exclude_accounts": draw(st.lists(st.sampled_from([PROD, LOGS]), max_size=1)),
        "permission_sets": draw(
            st.lists(st.sampled_from(["AdministratorAccess", "ReadOnlyAccess", "*"]), min_size=1, max_size=2)
        ),
        "approvers": approvers,
        "required_approvals": draw(st.integers(min_value=1, max_value=most)),
        "allow_self_approval": fixed.get("allow_self_approval", draw(TRI)),
        "approval_not_required": approval_not_required,
        "max_duration": draw(st.sampled_from([None, "30m", "1h", "2h", "12h"])),
        "reason_min_length": draw(st.sampled_from([None, 0, 5, 20])),
        "ticket_pattern": draw(st.sampled_from([None, "OPS-[0-9]+", "(OPS|INC)-[0-9]+"])),
    }


def rule_sets():
    return st.lists(rules_st(), max_size=5).map(
        lambda rules: [{**rule, "id": f"r{i}"} for i, rule in enumerate(rules)]
    )


requests_st = st.fixed_dictionaries(
    {
        "requester": st.sampled_from(PEOPLE),
        "target": st.builds(
            Target, st.sampled_from([PROD, LOGS]), st.sampled_from(["AdministratorAccess", "ReadOnlyAccess"])
        ),
        "duration": st.sampled_from([timedelta(minutes=30), HOUR, timedelta(hours=3), timedelta(hours=10)]),
        "reason": st.sampled_from(
            ["x", "incident 42", "restore the failed database after the outage", "OPS-9 restore the db"]
        ),
        "ticket": st.sampled_from([None, "OPS-1", "INC-7"]),
    }
)


def decide_with_ous(cfg, request):
    return decide_request(
        cfg,
        requester_email=request["requester"],
        target=request["target"],
        duration=request["duration"],
        reason=request["reason"],
        ticket=request["ticket"],
        ou_accounts=OU_ACCOUNTS,
    )


def matching(cfg, target):
    return matching_rules(cfg.rules, target, OU_ACCOUNTS)


@MANY
@given(rule_sets(), requests_st)
def test_an_explicit_false_in_any_matching_rule_always_wins(rules, request):
    cfg = config(*rules)
    decision = decide_with_ous(cfg, request)
    matched = matching(cfg, request["target"])
    if any(rule.approval_not_required is False for rule in matched):
        assert decision.outcome is not Outcome.AUTO_APPROVED
    if any(rule.allow_self_approval is False for rule in matched):
        assert decision.outcome is not Outcome.SELF_APPROVED


ANYONE_SELF_APPROVES = {
    "id": "a",
    "accounts": ["*"],
    "permission_sets": ["*"],
    "approvers": ["alice@example.com"],
}
PROD_TWO_APPROVERS = {
    "id": "b",
    "accounts": [PROD],
    "permission_sets": ["*"],
    "approvers": ["bob@example.com", "carol@example.com"],
    "required_approvals": 2,
}
BOB_ASKS = {
    "requester": "bob@example.com",
    "target": ADMIN,
    "duration": HOUR,
    "reason": "incident 42",
    "ticket": None,
}


@MANY
@given(rule_sets(), requests_st)
# Regression: bob, an approver of another rule only, was self-approved on a rule that names only alice.
@example([{**ANYONE_SELF_APPROVES, "allow_self_approval": True}, PROD_TWO_APPROVERS], BOB_ASKS)
def test_a_grant_now_always_rests_on_a_rule_that_allows_it(rules, request):
    cfg = config(*rules)
    decision = decide_with_ous(cfg, request)
    by_id = {rule.id: rule for rule in cfg.rules}
    if decision.outcome is Outcome.SELF_APPROVED:
        assert decision.rule_ids
        assert all(
            by_id[i].allow_self_approval and request["requester"] in by_id[i].approvers
            for i in decision.rule_ids
        )
    if decision.outcome is Outcome.AUTO_APPROVED:
        assert decision.rule_ids
        assert all(by_id[i].approval_not_required for i in decision.rule_ids)


@MANY
@given(rule_sets(), requests_st, st.sampled_from(PEOPLE))
def test_the_requester_is_never_an_approver_of_their_own_request(rules, request, approver):
    cfg = config(*rules)
    decision = decide_with_ous(cfg, request)
    assert request["requester"] not in decision.approvers
    own = check_approver(
        cfg,
        approver_email=request["requester"].upper(),
        requester_email=request["requester"],
        target=request["target"],
        duration=request["duration"],
        ou_accounts=OU_ACCOUNTS,
    )
    assert not own.allowed


@MANY
@given(rule_sets(), requests_st, rules_st(approval_not_required=False))
def test_adding_a_rule_that_requires_approval_never_turns_a_refusal_into_an_auto_approval(
    rules, request, extra
):
    before = decide_with_ous(config(*rules), request)
    after = decide_with_ous(config(*rules, {**extra, "id": "extra"}), request)
    if before.outcome is Outcome.REFUSED:
        assert after.outcome is not Outcome.AUTO_APPROVED


@MANY
@given(rule_sets(), requests_st, rules_st(approval_not_required=False, allow_self_approval=False))
def test_adding_a_rule_that_forbids_self_and_auto_approval_never_turns_a_refusal_into_a_grant(
    rules, request, extra
):
    """With `allow_self_approval` left unset, the added rule may still lead to a self-approval: by naming
    the requester as its own approver, or by a `max_duration` longer than the default it replaces. That is
    the documented semantics (see tests/policy/cases.yaml); forbidding both never loosens anything."""
    before = decide_with_ous(config(*rules), request)
    after = decide_with_ous(config(*rules, {**extra, "id": "extra"}), request)
    if before.outcome is Outcome.REFUSED:
        assert not after.grants_now


@MANY
@given(rule_sets(), requests_st, st.randoms(use_true_random=False))
# Regression: with two ticket patterns unmet, the refusal named whichever rule came first.
@example(
    [
        {**PROD_TWO_APPROVERS, "id": "b", "ticket_pattern": "B-1"},
        {**ANYONE_SELF_APPROVES, "id": "a", "ticket_pattern": "A-1"},
    ],
    {**BOB_ASKS, "requester": "dan@example.com"},
    random.Random(0),
)
def test_the_decision_does_not_depend_on_the_order_of_the_rules(rules, request, rnd):
    shuffled = list(rules)
    rnd.shuffle(shuffled)
    first = decide_with_ous(config(*rules), request)
    for reordered in (shuffled, rules[::-1]):
        other = decide_with_ous(config(*reordered), request)
        assert (other.outcome, other.reason, other.field, other.approvers) == (
            first.outcome,
            first.reason,
            first.field,
            first.approvers,
        )
        assert (other.required_approvals, other.max_duration) == (
            first.required_approvals,
            first.max_duration,
        )
        assert set(other.rule_ids) == set(first.rule_ids)
