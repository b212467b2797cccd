"""The request lifecycle: audit events, their fixed slots, and a request's state (the fold of its events).

requested → approved | self_approved | auto_approved | denied | cancelled | expired
          → grant_started → granted | grant_failed → revoked | revoke_failed

Each transition is written once, create-only, at a fixed slot (see docs/architecture.md), so concurrent
clicks and redeliveries resolve to exactly one outcome.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator

from jit_access.core.rules import Target
from jit_access.core.timeutil import iso, parse_iso, utc

SCHEMA_VERSION = 1
# ASCII digits and anchored: ids come back from Slack buttons, which are hostile input.
REQUEST_ID = re.compile(r"^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}$")


class EventType(StrEnum):
    REQUESTED = "requested"
    APPROVAL = "approval"  # one vote towards a quorum
    APPROVED = "approved"
    SELF_APPROVED = "self_approved"
    AUTO_APPROVED = "auto_approved"
    DENIED = "denied"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    GRANT_STARTED = "grant_started"
    GRANTED = "granted"
    GRANT_FAILED = "grant_failed"
    REVOKED = "revoked"
    REVOKE_FAILED = "revoke_failed"


APPROVING = {EventType.APPROVED, EventType.SELF_APPROVED, EventType.AUTO_APPROVED}
DECISIONS = APPROVING | {EventType.DENIED, EventType.CANCELLED, EventType.EXPIRED}

SLOT_REQUESTED = "00-requested"
SLOT_DECISION = "20-decision"
SLOT_GRANT_STARTED = "30-grant-started"
SLOT_GRANT = "40-grant"
SLOT_REVOKE = "60-revoke"


def approval_slot(approver_slack_id: str) -> str:
    return f"10-approval-{approver_slack_id}"


def slot_for(event: EventType, actor_slack_id: str | None = None) -> str:
    if event is EventType.REQUESTED:
        return SLOT_REQUESTED
    if event is EventType.APPROVAL:
        if not actor_slack_id:
            raise ValueError("an approval vote needs the approver's Slack id")
        return approval_slot(actor_slack_id)
    if event in DECISIONS:
        return SLOT_DECISION
    if event is EventType.GRANT_STARTED:
        return SLOT_GRANT_STARTED
    if event in (EventType.GRANTED, EventType.GRANT_FAILED):
        return SLOT_GRANT
    return SLOT_REVOKE


def new_request_id(now: datetime, entropy: str | None = None) -> str:
    """`YYYYMMDDTHHMMSSZ-xxxxxxxx`: sorts by time, names the date partition, fits a schedule name."""
    return f"{utc(now).strftime('%Y%m%dT%H%M%SZ')}-{entropy or secrets.token_hex(4)}"


def is_request_id(value: str) -> bool:
    return bool(REQUEST_ID.fullmatch(value))


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Person(_Frozen):
    slack_id: str
    email: str | None = None
    identity_center_user_id: str | None = None


class Group(_Frozen):
    """An Identity Center group, as a group request names it."""

    id: str
    name: str


class Subject(_Frozen):
    """What was asked for, copied into every event so each object answers an auditor on its own: a
    permission set on an account, or (`group`) membership of an Identity Center group, whose events leave
    the account fields empty. Events written before groups existed have no `group` and still fold."""

    requester: Person
    account_id: str = ""
    account_name: str | None = None
    permission_set_name: str = ""
    permission_set_arn: str = ""
    group: Group | None = None
    duration_minutes: int
    reason: str
    ticket: str | None = None

    @model_validator(mode="after")
    def _one_target(self) -> Subject:
        account = bool(self.account_id or self.permission_set_name or self.permission_set_arn)
        if self.group is not None and account:
            raise ValueError("a request is for a group or for an account and permission set, not both")
        if self.group is None and not (
            self.account_id and self.permission_set_name and self.permission_set_arn
        ):
            raise ValueError("a request needs an account and a permission set, or a group")
        return self

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.duration_minutes)

    @property
    def target(self) -> Target:
        if self.group is not None:
            return Target.group(self.group.id, self.group.name)
        return Target(self.account_id, self.permission_set_name)


class AuditEvent(_Frozen):
    schema_version: int = SCHEMA_VERSION
    event: EventType
    request_id: str
    at: str  # UTC ISO 8601
    subject: Subject
    actor: Person | None = None  # who did it; None for the system (schedules, the reconcile)
    rule_ids: tuple[str, ...] = ()
    details: dict[str, Any] = {}
    config_version: str | None = None
    prev_sha256: str | None = None

    def to_bytes(self) -> bytes:
        return json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":")).encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> AuditEvent:
        return cls.model_validate_json(raw)


def sha256(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


class Status(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DENIED = "denied"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    GRANTING = "granting"
    GRANTED = "granted"
    GRANT_FAILED = "grant_failed"
    REVOKED = "revoked"
    REVOKE_FAILED = "revoke_failed"


@dataclass(frozen=True)
class RequestState:
    """Everything known about one request, folded from its events in slot order."""

    request_id: str
    subject: Subject
    status: Status
    requested: AuditEvent
    approvals: tuple[AuditEvent, ...]
    decision: AuditEvent | None
    grant: AuditEvent | None
    revoke: AuditEvent | None
    last_sha256: str

    @property
    def end_at(self) -> datetime | None:
        if self.grant is None or self.grant.event is not EventType.GRANTED:
            return None
        return parse_iso(self.grant.details["end_at"])

    @property
    def requested_at(self) -> datetime:
        return parse_iso(self.requested.at)

    @property
    def approver_slack_ids(self) -> list[str]:
        """Slack ids of the approvers named when the request was made (for mentions)."""
        return list(self.requested.details.get("approver_slack_ids", []))

    @property
    def approver_ids(self) -> set[str]:
        return {a.actor.slack_id for a in self.approvals if a.actor}

    @classmethod
    def fold(cls, events: list[tuple[str, bytes]]) -> RequestState:
        """(slot, bytes) in slot order → state. The first event must be `requested`."""
        if not events or events[0][0] != SLOT_REQUESTED:
            raise ValueError("a request's events must start with the requested event")
        parsed = [(slot, AuditEvent.from_bytes(raw), raw) for slot, raw in events]
        first = parsed[0][1]
        approvals = tuple(e for slot, e, _ in parsed if slot.startswith("10-approval-"))
        by_slot = {slot: e for slot, e, _ in parsed}
        decision = by_slot.get(SLOT_DECISION)
        grant = by_slot.get(SLOT_GRANT)
        revoke = by_slot.get(SLOT_REVOKE)
        status = Status.PENDING
        if decision is not None:
            status = {
                EventType.DENIED: Status.DENIED,
                EventType.CANCELLED: Status.CANCELLED,
                EventType.EXPIRED: Status.EXPIRED,
            }.get(decision.event, Status.APPROVED)
        if SLOT_GRANT_STARTED in by_slot:
            status = Status.GRANTING
        if grant is not None:
            status = Status.GRANTED if grant.event is EventType.GRANTED else Status.GRANT_FAILED
        if revoke is not None:
            status = Status.REVOKED if revoke.event is EventType.REVOKED else Status.REVOKE_FAILED
        return cls(
            request_id=first.request_id,
            subject=first.subject,
            status=status,
            requested=first,
            approvals=approvals,
            decision=decision,
            grant=grant,
            revoke=revoke,
            last_sha256=sha256(parsed[-1][2]),
        )


def make_event(
    event: EventType,
    *,
    request_id: str,
    now: datetime,
    subject: Subject,
    prev_sha256: str | None,
    actor: Person | None = None,
    rule_ids: tuple[str, ...] = (),
    details: dict[str, Any] | None = None,
    config_version: str | None = None,
) -> AuditEvent:
    return AuditEvent(
        event=event,
        request_id=request_id,
        at=iso(now),
        subject=subject,
        actor=actor,
        rule_ids=rule_ids,
        details=details or {},
        config_version=config_version,
        prev_sha256=prev_sha256,
    )
