"""Who may get what, and who approves it. Pure functions over the config's rules.

`false` in any matching rule for `allow_self_approval` or `approval_not_required` is an explicit deny that
overrides `true` in the others. A requester approves their own request only through a rule that allows it
and names them as one of its approvers. Approvers are the union over the matching rules, the quorum is the
largest `required_approvals`, the maximum duration the shortest. The requester never counts as one of the
approvers needed for a quorum. The order of the rules changes nothing.

A target is either a permission set on an account or membership of an Identity Center group. Account
targets are decided over `rules` only, group targets over `group_rules` only, by the same functions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum

from jit_access.config import GroupRule, Policy, Rule
from jit_access.core.timeutil import format_duration

WILDCARD = "*"


@dataclass(frozen=True)
class Target:
    """A permission set on an account, or (with `group_id`) membership of an Identity Center group."""

    account_id: str = ""
    permission_set: str = ""  # the permission set's name, as rules name it
    group_id: str | None = None
    group_name: str | None = None  # the group's display name, as rules may name it

    @classmethod
    def group(cls, group_id: str, group_name: str | None = None) -> Target:
        return cls(group_id=group_id, group_name=group_name)

    @property
    def is_group(self) -> bool:
        return self.group_id is not None

    @property
    def words(self) -> str:
        if self.is_group:
            name = self.group_name or self.group_id
            shown = (
                f"{name} ({self.group_id})" if self.group_name and self.group_name != self.group_id else name
            )
            return f"membership of group {shown}"
        return f"{self.permission_set} on account {self.account_id}"


class Outcome(StrEnum):
    SELF_APPROVED = "self_approved"
    AUTO_APPROVED = "auto_approved"
    NEEDS_APPROVAL = "needs_approval"
    REFUSED = "refused"


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    reason: str
    rule_ids: tuple[str, ...] = ()
    approvers: frozenset[str] = field(default_factory=frozenset)  # emails, lower-case; requester excluded
    required_approvals: int = 1
    max_duration: timedelta | None = None
    field: str | None = None  # for a refusal: which input it is about (target, duration, reason, ticket)

    @property
    def grants_now(self) -> bool:
        return self.outcome in (Outcome.SELF_APPROVED, Outcome.AUTO_APPROVED)


@dataclass(frozen=True)
class ClickCheck:
    allowed: bool
    reason: str
    rule_ids: tuple[str, ...] = ()


def _rule_accounts_match(rule: Rule, account_id: str, ou_accounts: Mapping[str, frozenset[str]]) -> bool:
    if account_id in rule.exclude_accounts:
        return False
    for entry in rule.accounts:
        if entry in (WILDCARD, account_id):
            return True
        if entry.startswith("ou-") and account_id in ou_accounts.get(entry, frozenset()):
            return True
    return False


def _group_matches(rule: GroupRule, target: Target) -> bool:
    return any(entry in (target.group_id, target.group_name) for entry in rule.groups)


def matching_rules(
    rules: Iterable[Rule | GroupRule],
    target: Target,
    ou_accounts: Mapping[str, frozenset[str]] | None = None,
) -> tuple[Rule | GroupRule, ...]:
    """The rules that cover the target: account rules for an account target, group rules for a group."""
    ou_accounts = ou_accounts or {}
    if target.is_group:
        return tuple(rule for rule in rules if isinstance(rule, GroupRule) and _group_matches(rule, target))
    return tuple(
        rule
        for rule in rules
        if isinstance(rule, Rule)
        # The permission set first: a cheap test that rules most rules out before the account lists.
        and (WILDCARD in rule.permission_sets or target.permission_set in rule.permission_sets)
        and _rule_accounts_match(rule, target.account_id, ou_accounts)
    )


def all_rules(config: Policy) -> tuple[Rule | GroupRule, ...]:
    return (*config.rules, *config.group_rules)


def _tri_state(values: Iterable[bool | None]) -> bool | None:
    """Combine true/false/unset across rules: any False wins, then any True, else unset."""
    seen = set(values)
    if False in seen:
        return False
    return True if True in seen else None


def max_duration(config: Policy, rules: Iterable[Rule | GroupRule]) -> timedelta:
    limits = [rule.max_duration_delta for rule in rules if rule.max_duration_delta is not None]
    return min(limits) if limits else config.default_max_duration_delta


def decide_request(
    config: Policy,
    *,
    requester_email: str,
    target: Target,
    duration: timedelta,
    reason: str,
    ticket: str | None = None,
    ou_accounts: Mapping[str, frozenset[str]] | None = None,
) -> Decision:
    """What happens to a request at submit: granted now, waits for approvers, or refused (with why)."""
    rules = matching_rules(all_rules(config), target, ou_accounts)
    if not rules:
        return Decision(Outcome.REFUSED, f"no rule lets anyone request {target.words}", field="target")
    rule_ids = tuple(rule.id for rule in rules)
    limit = max_duration(config, rules)
    if duration > limit:
        return Decision(
            Outcome.REFUSED,
            f"{format_duration(duration)} is longer than the {format_duration(limit)} the rules allow",
            rule_ids,
            max_duration=limit,
            field="duration",
        )
    reason_min = max((rule.reason_min_length or 0 for rule in rules), default=0)
    if len(reason.strip()) < max(reason_min, 1):
        return Decision(
            Outcome.REFUSED,
            f"the reason must be at least {max(reason_min, 1)} characters",
            rule_ids,
            field="reason",
        )
    # The ticket reference is carried in the reason unless given on its own ("INC-42: restore db").
    # Every rule whose pattern is unmet is named, in id order: the answer never depends on rule order.
    unmet = sorted(
        (r for r in rules if r.ticket_pattern and not re.search(r.ticket_pattern, ticket or reason)),
        key=lambda r: r.id,
    )
    if unmet:
        return Decision(
            Outcome.REFUSED,
            "; ".join(
                f"rule {r.id} needs a ticket reference matching {r.ticket_pattern} in the reason"
                for r in unmet
            ),
            rule_ids,
            field="ticket",
        )

    requester = requester_email.strip().lower()
    all_approvers = frozenset(a for rule in rules for a in rule.approvers)
    others = all_approvers - {requester}
    quorum = max(rule.required_approvals for rule in rules)

    auto = _tri_state(rule.approval_not_required for rule in rules)
    if auto:
        allowing = tuple(rule.id for rule in rules if rule.approval_not_required)
        return Decision(Outcome.AUTO_APPROVED, "no approval required by rule", allowing, max_duration=limit)

    # Self-approval rests on a rule that allows it and names the requester among its own approvers:
    # being an approver of some other matching rule is not enough.
    self_ok = _tri_state(rule.allow_self_approval for rule in rules)
    allowing = tuple(rule.id for rule in rules if rule.allow_self_approval and requester in rule.approvers)
    if self_ok and allowing:
        return Decision(
            Outcome.SELF_APPROVED, "the requester may approve their own request", allowing, max_duration=limit
        )

    if len(others) < quorum:
        return Decision(
            Outcome.REFUSED,
            f"the rules need {quorum} approver(s) other than the requester and name only {len(others)}",
            rule_ids,
            field="target",
        )
    return Decision(
        Outcome.NEEDS_APPROVAL,
        f"needs {quorum} approval(s)",
        rule_ids,
        approvers=others,
        required_approvals=quorum,
        max_duration=limit,
    )


def check_approver(
    config: Policy,
    *,
    approver_email: str,
    requester_email: str,
    target: Target,
    duration: timedelta,
    ou_accounts: Mapping[str, frozenset[str]] | None = None,
) -> ClickCheck:
    """May this person approve (or deny) this request under the rules as they are now?"""
    rules = matching_rules(all_rules(config), target, ou_accounts)
    rule_ids = tuple(rule.id for rule in rules)
    approver = approver_email.strip().lower()
    if not rules:
        return ClickCheck(False, "no rule covers this request any more", rule_ids)
    if approver == requester_email.strip().lower():
        return ClickCheck(False, "you cannot approve your own request", rule_ids)
    if approver not in {a for rule in rules for a in rule.approvers}:
        what = "group" if target.is_group else "account and permission set"
        return ClickCheck(False, f"you are not an approver for this {what}", rule_ids)
    limit = max_duration(config, rules)
    if duration > limit:
        return ClickCheck(
            False,
            f"the rules now allow at most {format_duration(limit)}; ask for a new request",
            rule_ids,
        )
    return ClickCheck(True, "approver under the current rules", rule_ids)


def requestable_permission_sets(config: Policy, known: Iterable[str]) -> list[str]:
    named = {p for rule in config.rules for p in rule.permission_sets}
    if WILDCARD in named:
        return sorted(set(known))
    return sorted(named)


def requestable_accounts(config: Policy, known: Iterable[str]) -> list[str]:
    """Accounts some rule can lead to: the ids the rules name, and every known account for `*` or OUs."""
    named = {a for rule in config.rules for a in rule.accounts}
    excluded_everywhere = (
        set.intersection(*(set(r.exclude_accounts) for r in config.rules)) if config.rules else set()
    )
    accounts = {a for a in named if a != WILDCARD and not a.startswith("ou-")}
    if WILDCARD in named or any(a.startswith("ou-") for a in named):
        accounts |= set(known)
    return sorted(accounts - excluded_everywhere)


def requestable_groups(config: Policy) -> list[str]:
    """The groups (display names or ids, as the group rules name them) some group rule can lead to."""
    return sorted({group for rule in config.group_rules for group in rule.groups})
