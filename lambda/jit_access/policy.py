"""`jit-access policy ...`: check, explain and test approval rules before they deploy.

Every answer comes from `core/rules.py` (`decide_request`, `check_approver`, `matching_rules`), the code the
Lambdas run on each request and each click; this module only reads files and words the answers.

Exit status: 0 done (check: valid; test: every case passed), 1 check found problems or a test case failed,
2 nothing could be run (a file unreadable or malformed, a bad argument).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from jit_access.config import ACCOUNT_ID, EMAIL, GROUP, OU_ID, PERMISSION_SET_NAME, GroupRule, Policy, Rule
from jit_access.core.rules import (
    ClickCheck,
    Decision,
    Outcome,
    Target,
    all_rules,
    check_approver,
    decide_request,
    matching_rules,
)
from jit_access.core.timeutil import format_duration, parse_duration
from jit_access.policy_file import Case, PolicyFileError, load_cases, load_policy, ou_accounts

RESULTS = {
    Outcome.SELF_APPROVED: "grant",
    Outcome.AUTO_APPROVED: "grant",
    Outcome.NEEDS_APPROVAL: "approval",
    Outcome.REFUSED: "refuse",
}


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    policy = subparsers.add_parser(
        "policy",
        help="check, explain and test approval rules before they deploy",
        description="Approval rules in a YAML or JSON file (`rules:` as in the module's `rules` variable, "
        "`defaults: {max_duration: 8h}`), decided by the same code the functions run.",
    )
    commands = policy.add_subparsers(dest="policy_command", required=True)

    check = commands.add_parser(
        "check",
        help="validate a rules file as the functions would (exit 0 valid, 1 problems)",
        description="Validate a rules file as Terraform and the functions would: every problem named by "
        "rule and field. Exit 0 when valid, 1 listing the problems.",
    )
    check.add_argument("file", type=Path, metavar="FILE", help="the rules file (YAML or JSON)")
    check.set_defaults(func=run_check)

    explain = commands.add_parser(
        "explain",
        help="what the rules decide for one request, and on which rules it rests",
        description="What the rules decide for one request: granted at once, waiting for approvers (which, "
        "how many), or refused and why; the rules it rests on; with --approver, whether that person's "
        "click would count.",
    )
    explain.add_argument("file", type=Path, metavar="FILE", help="the rules file (YAML or JSON)")
    explain.add_argument("--requester", required=True, metavar="EMAIL", help="who asks")
    explain.add_argument(
        "--account", metavar="ID", help="the 12-digit account id (with --permission-set; or --group)"
    )
    explain.add_argument(
        "--ou-path",
        default="",
        metavar="OU/OU",
        help="the OUs the account sits in, e.g. ou-ab12-11111111/ou-ab12-22222222 (rules naming OUs match "
        "only through this)",
    )
    explain.add_argument("--permission-set", metavar="NAME", help="the permission set name")
    explain.add_argument(
        "--group",
        metavar="GROUP",
        help="an Identity Center group's display name or id, instead of --account and --permission-set "
        "(decided by the group rules)",
    )
    explain.add_argument("--duration", default="1h", help="how long, e.g. 30m, 2h, 1h30m (default 1h)")
    explain.add_argument(
        "--reason", default=None, help="the stated reason (default: one long enough for every rule)"
    )
    explain.add_argument("--ticket", default=None, help="a ticket reference, when not in the reason")
    explain.add_argument("--approver", metavar="EMAIL", help="would this person's click count?")
    explain.add_argument("--format", choices=["text", "json"], default="text")
    explain.set_defaults(func=run_explain)

    test = commands.add_parser(
        "test",
        help="run test cases against a rules file (exit 0 all pass, 1 a case fails, 2 a malformed file)",
        description="Run the cases of CASES (YAML or JSON: `cases:` with name, requester, account and "
        "permission_set or group, expect: grant|approval|refuse, ...; optional `ou_tree:`) against the "
        "rules of FILE. One line per case, then a count.",
    )
    test.add_argument("file", type=Path, metavar="FILE", help="the rules file (YAML or JSON)")
    test.add_argument("cases", type=Path, metavar="CASES", help="the cases file (YAML or JSON)")
    test.set_defaults(func=run_test)


# --- check ---------------------------------------------------------------------------------------------


def run_check(args: argparse.Namespace) -> int:
    text = _read(args.file)
    if text is None:
        return 2
    try:
        policy = load_policy(text)
    except PolicyFileError as error:
        for problem in error.problems:
            print(f"{args.file}: {problem}")
        count = len(error.problems)
        print(f"{count} problem{'' if count == 1 else 's'} in {args.file}")
        return 1
    count = len(policy.rules)
    words = f"{count} rule{'' if count == 1 else 's'}"
    if policy.group_rules:
        groups = len(policy.group_rules)
        words = (f"{words} and " if count else "") + f"{groups} group rule{'' if groups == 1 else 's'}"
    print(f"{args.file}: {words} OK")
    return 0


# --- explain -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Explanation:
    """One request and what the rules make of it; `click` when an approver was asked about."""

    requester: str
    target: Target
    ou_path: tuple[str, ...]
    duration: timedelta
    reason: str | None
    ticket: str | None
    matching: tuple[Rule | GroupRule, ...]
    decision: Decision
    click: ClickCheck | None
    approver: str | None

    @property
    def result(self) -> str:
        return RESULTS[self.decision.outcome]

    def to_json(self) -> dict[str, Any]:
        decision = self.decision
        waits = decision.outcome is Outcome.NEEDS_APPROVAL
        return {
            "request": {
                "requester": self.requester,
                "account": self.target.account_id or None,
                "ou_path": list(self.ou_path),
                "permission_set": self.target.permission_set or None,
                "group": self.target.group_id,
                "duration": format_duration(self.duration),
                "reason": self.reason,
                "ticket": self.ticket,
            },
            "result": self.result,
            "outcome": decision.outcome.value,
            "reason": decision.reason,
            "refused_for": decision.field if decision.outcome is Outcome.REFUSED else None,
            "rule_ids": list(decision.rule_ids),
            "matching_rule_ids": [rule.id for rule in self.matching],
            "approvers": sorted(decision.approvers) if waits else [],
            "required_approvals": decision.required_approvals if waits else None,
            "max_duration": format_duration(decision.max_duration) if decision.max_duration else None,
            "click": None
            if self.click is None
            else {"approver": self.approver, "counts": self.click.allowed, "reason": self.click.reason},
        }

    def to_text(self, policy: Policy) -> str:
        decision = self.decision
        where = f" (in {'/'.join(self.ou_path)})" if self.ou_path else ""
        lines = [
            f"Request:  {self.requester} asks for {self.target.words}{where} for "
            f"{format_duration(self.duration)}.",
            f"Decision: {_decision_words(decision)}",
        ]
        if decision.rule_ids:
            lines.append(f"Rests on: {', '.join(decision.rule_ids)}")
        if decision.max_duration and decision.outcome is not Outcome.REFUSED:
            lines.append(f"At most:  {format_duration(decision.max_duration)}")
        if self.reason is None:
            lines.append("Reason:   not given; one long enough for every rule was assumed")
        if self.matching:
            lines.append(f"Rules that match ({len(self.matching)}):")
            lines += [f"  {_rule_words(rule)}" for rule in self.matching]
        else:
            lines.append("Rules that match: none")
            if (
                not self.target.is_group
                and not self.ou_path
                and any(a.startswith("ou-") for r in policy.rules for a in r.accounts)
            ):
                lines.append("  (rules that name an OU match only when --ou-path says the account is in it)")
        if self.click is not None:
            verdict = "would count" if self.click.allowed else "would not count"
            lines.append(f"Click by {self.approver}: {verdict} ({self.click.reason})")
        return "\n".join(lines) + "\n"


def explain(
    policy: Policy,
    *,
    requester: str,
    target: Target,
    duration: timedelta,
    reason: str | None = None,
    ticket: str | None = None,
    ou_path: tuple[str, ...] = (),
    approver: str | None = None,
) -> Explanation:
    """Ask the core: `decide_request` as at submit, `check_approver` as on a click, with the account placed in
    the OUs of `ou_path`."""
    ous = ou_accounts({target.account_id: ou_path})
    decision = decide_request(
        policy,
        requester_email=requester,
        target=target,
        duration=duration,
        reason=reason if reason is not None else assumed_reason(policy),
        ticket=ticket,
        ou_accounts=ous,
    )
    click = None
    if approver is not None:
        click = check_approver(
            policy,
            approver_email=approver,
            requester_email=requester,
            target=target,
            duration=duration,
            ou_accounts=ous,
        )
    return Explanation(
        requester=requester.strip().lower(),
        target=target,
        ou_path=ou_path,
        duration=duration,
        reason=reason,
        ticket=ticket,
        matching=matching_rules(all_rules(policy), target, ous),
        decision=decision,
        click=click,
        approver=approver.strip().lower() if approver is not None else None,
    )


def run_explain(args: argparse.Namespace) -> int:
    policy = _load_policy_or_report(args.file)
    if policy is None:
        return 2
    problems = []
    if not EMAIL.match(args.requester.strip()):
        problems.append(f"--requester {args.requester!r} is not an email address")
    if args.approver is not None and not EMAIL.match(args.approver.strip()):
        problems.append(f"--approver {args.approver!r} is not an email address")
    if args.group is not None:
        if args.account is not None or args.permission_set is not None:
            problems.append("give --group, or --account and --permission-set, not both")
        if not GROUP.match(args.group):
            problems.append(f"--group {args.group!r} is not a group display name or id")
    elif args.account is None or args.permission_set is None:
        problems.append("give --account and --permission-set, or --group")
    if args.account is not None and not ACCOUNT_ID.match(args.account):
        problems.append(f"--account {args.account!r} is not a 12-digit account id")
    if args.permission_set is not None and not PERMISSION_SET_NAME.match(args.permission_set):
        problems.append(f"--permission-set {args.permission_set!r} is not a permission set name")
    ou_path = tuple(part for part in args.ou_path.strip("/").split("/") if part)
    problems += [
        f"--ou-path: {ou!r} is not an OU id such as ou-ab12-cdef3456" for ou in ou_path if not OU_ID.match(ou)
    ]
    try:
        duration = parse_duration(args.duration)
    except ValueError as error:
        problems.append(f"--duration: {error}")
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        return 2
    explanation = explain(
        policy,
        requester=args.requester,
        target=Target.group(args.group, args.group)
        if args.group is not None
        else Target(args.account, args.permission_set),
        duration=duration,
        reason=args.reason,
        ticket=args.ticket,
        ou_path=ou_path,
        approver=args.approver,
    )
    if args.format == "json":
        print(json.dumps(explanation.to_json(), indent=2))
    else:
        sys.stdout.write(explanation.to_text(policy))
    return 0


def _decision_words(decision: Decision) -> str:
    if decision.outcome is Outcome.NEEDS_APPROVAL:
        count = decision.required_approvals
        needs = f"needs {count} approval{'' if count == 1 else 's'}"
        whom = ", ".join(sorted(decision.approvers))
        if len(decision.approvers) > count:
            return f"{needs} from any of {whom} (the requester never counts)"
        return f"{needs}: from {whom} (the requester never counts)"
    if decision.outcome is Outcome.SELF_APPROVED:
        return "granted at once: the requester is an approver of a rule that allows self-approval"
    if decision.outcome is Outcome.AUTO_APPROVED:
        return "granted at once: no approval required"
    return f"refused: {decision.reason}"


def _rule_words(rule: Rule | GroupRule) -> str:
    if isinstance(rule, GroupRule):
        targets = ["groups " + ", ".join(rule.groups)]
    else:
        targets = [
            "accounts " + ", ".join(rule.accounts),
            *(["except " + ", ".join(rule.exclude_accounts)] if rule.exclude_accounts else []),
            "permission sets " + ", ".join(rule.permission_sets),
        ]
    parts = [
        *targets,
        "approvers " + (", ".join(rule.approvers) if rule.approvers else "none"),
        f"{rule.required_approvals} approval{'' if rule.required_approvals == 1 else 's'}",
    ]
    for key in ("allow_self_approval", "approval_not_required"):
        value = getattr(rule, key)
        if value is not None:
            parts.append(f"{key} {str(value).lower()}")
    if rule.max_duration:
        parts.append(f"at most {rule.max_duration}")
    if rule.reason_min_length:
        parts.append(f"reason of {rule.reason_min_length}+ characters")
    if rule.ticket_pattern:
        parts.append(f"ticket matching {rule.ticket_pattern}")
    return f"{rule.id}: " + "; ".join(parts)


def assumed_reason(policy: Policy) -> str:
    """A stand-in for a reason that was not given: long enough for every rule, with no ticket reference."""
    longest = max((rule.reason_min_length or 0 for rule in all_rules(policy)), default=0)
    return "a reason stated by the requester".ljust(longest, ".")


# --- test ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseResult:
    name: str
    failures: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.failures

    def line(self) -> str:
        return f"PASS {self.name}" if self.passed else f"FAIL {self.name}: {'; '.join(self.failures)}"


def run_case(policy: Policy, case: Case, ous: Mapping[str, frozenset[str]]) -> CaseResult:
    """Decide the case's request and its clicks with the core, and compare with what the case expects."""
    target = (
        Target.group(case.group, case.group)
        if case.group is not None
        else Target(case.account or "", case.permission_set or "")
    )
    duration = parse_duration(case.duration)
    decision = decide_request(
        policy,
        requester_email=case.requester,
        target=target,
        duration=duration,
        reason=case.reason if case.reason is not None else assumed_reason(policy),
        ticket=case.ticket,
        ou_accounts=ous,
    )
    got = RESULTS[decision.outcome]
    failures = []
    if got != case.expect:
        failures.append(f"expected {case.expect}, got {got} ({_got_words(decision)})")
    elif got == "approval":
        if case.approvers is not None and set(case.approvers) != decision.approvers:
            failures.append(
                f"expected approvers {_people(case.approvers)}, got {_people(decision.approvers)}"
            )
        if case.required is not None and case.required != decision.required_approvals:
            failures.append(
                f"expected {case.required} required approval(s), got {decision.required_approvals}"
            )
    elif got == "refuse" and case.refused_for is not None and case.refused_for != decision.field:
        failures.append(
            f"expected a refusal for the {case.refused_for}, got one for the {decision.field} "
            f"({decision.reason})"
        )
    for click in case.clicks:
        check = check_approver(
            policy,
            approver_email=click.approver,
            requester_email=case.requester,
            target=target,
            duration=duration,
            ou_accounts=ous,
        )
        if check.allowed != click.counts:
            expected = "to count" if click.counts else "not to count"
            got_click = "it would" if check.allowed else "it would not"
            failures.append(f"expected {click.approver}'s click {expected}, {got_click} ({check.reason})")
    return CaseResult(case.name, tuple(failures))


def run_test(args: argparse.Namespace) -> int:
    policy = _load_policy_or_report(args.file)
    text = _read(args.cases)
    if policy is None or text is None:
        return 2
    try:
        cases = load_cases(text)
    except PolicyFileError as error:
        for problem in error.problems:
            print(f"{args.cases}: {problem}", file=sys.stderr)
        return 2
    ous = cases.ou_accounts()
    results = [run_case(policy, case, ous) for case in cases.cases]
    for result in results:
        print(result.line())
    failed = sum(not result.passed for result in results)
    print(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


def _got_words(decision: Decision) -> str:
    if decision.outcome is Outcome.NEEDS_APPROVAL:
        return f"{decision.required_approvals} from {_people(decision.approvers)}"
    return decision.reason


def _people(emails: Any) -> str:
    return ", ".join(sorted(emails)) or "nobody"


# --- files ---------------------------------------------------------------------------------------------


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        print(f"{path}: cannot read it: {error}", file=sys.stderr)
        return None


def _load_policy_or_report(path: Path) -> Policy | None:
    text = _read(path)
    if text is None:
        return None
    try:
        return load_policy(text)
    except PolicyFileError as error:
        for problem in error.problems:
            print(f"{path}: {problem}", file=sys.stderr)
        print(f"{path} is not a valid rules file: run `jit-access policy check {path}`", file=sys.stderr)
        return None
