"""Sessions for an auditor: one row per request, folded from its events. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from jit_access.core.lifecycle import EventType, RequestState, Status
from jit_access.core.timeutil import iso, parse_iso


@dataclass(frozen=True)
class SessionRow:
    request_id: str
    requester: str
    account: str
    permission_set: str
    reason: str
    approved_by: str
    requested_at: str
    started_at: str
    ended_at: str
    duration: str
    outcome: str


def _approved_by(state: RequestState) -> str:
    decision = state.decision
    if decision is None:
        return ""
    if decision.event is EventType.SELF_APPROVED:
        return f"self ({', '.join(decision.rule_ids)})"
    if decision.event is EventType.AUTO_APPROVED:
        return f"auto ({', '.join(decision.rule_ids)})"
    if decision.event is EventType.APPROVED:
        return ", ".join(sorted(a.actor.email or a.actor.slack_id for a in state.approvals if a.actor))
    return f"{decision.event.value} by {decision.actor.email if decision.actor else 'rules'}"


def _hms(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m{seconds % 60:02d}s"


def session_row(state: RequestState, now: datetime) -> SessionRow:
    subject = state.subject
    started = (
        parse_iso(state.grant.details["started_at"])
        if state.status in (Status.GRANTED, Status.REVOKED, Status.REVOKE_FAILED) and state.grant
        else None
    )
    ended = parse_iso(state.revoke.at) if state.revoke and state.status is Status.REVOKED else None
    duration = _hms((ended or now) - started) if started else ""
    if subject.group is not None:
        # A group request: the group stands where the account would, and there is no permission set.
        account = f"group {subject.group.name} ({subject.group.id})"
    elif subject.account_name:
        account = f"{subject.account_name} ({subject.account_id})"
    else:
        account = subject.account_id
    return SessionRow(
        request_id=state.request_id,
        requester=subject.requester.email or subject.requester.slack_id,
        account=account,
        permission_set=subject.permission_set_name,
        reason=subject.reason,
        approved_by=_approved_by(state),
        requested_at=iso(state.requested_at),
        started_at=iso(started) if started else "",
        ended_at=iso(ended) if ended else ("active" if state.status is Status.GRANTED else ""),
        duration=duration,
        outcome=state.status.value,
    )


def sessions(states: Iterable[RequestState], now: datetime) -> list[SessionRow]:
    return sorted((session_row(s, now) for s in states), key=lambda row: row.requested_at)
