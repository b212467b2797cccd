"""In-memory stand-ins for the edges, with the same contracts (create-only slots, idempotent deletes).

Used by the functional tests of the service; the real edges are tested against moto in tests/integration.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from jit_access.errors import AlreadyRecorded, EdgeError


@dataclass
class FakeStore:
    objects: dict[tuple[str, str], bytes] = field(default_factory=dict)
    messages: dict[str, tuple[str, str]] = field(default_factory=dict)
    fail_puts: int = 0

    def put_event(self, request_id: str, slot: str, body: bytes) -> None:
        if self.fail_puts:
            self.fail_puts -= 1
            raise EdgeError("S3 is down", retryable=True)
        if (request_id, slot) in self.objects:
            raise AlreadyRecorded(slot)
        self.objects[(request_id, slot)] = body

    def read_events(self, request_id: str) -> list[tuple[str, bytes]]:
        return sorted((slot, body) for (rid, slot), body in self.objects.items() if rid == request_id)

    def read_event(self, request_id: str, slot: str) -> bytes | None:
        return self.objects.get((request_id, slot))

    def put_message_ref(self, request_id: str, *, channel: str, ts: str) -> None:
        self.messages[request_id] = (channel, ts)

    def get_message_ref(self, request_id: str) -> tuple[str, str] | None:
        return self.messages.get(request_id)

    def list_request_ids(self, *, since_date=None) -> list[str]:
        return sorted({rid for rid, _ in self.objects})


@dataclass(frozen=True)
class Result:
    status: str
    request_id: str
    failure_reason: str | None = None


@dataclass
class FakeIdentity:
    users: dict[str, str] = field(default_factory=dict)  # email -> user id
    permission_set_arns: dict[str, str] = field(default_factory=dict)
    assignments: set[tuple[str, str, str]] = field(default_factory=set)
    create_calls: int = 0
    fail_create: EdgeError | None = None
    create_status: str = "SUCCEEDED"
    group_names: dict[str, str] = field(default_factory=dict)  # group id -> display name
    memberships: set[tuple[str, str]] = field(default_factory=set)  # (group id, user id)

    def groups(self, entries) -> dict[str, str]:
        return {gid: name for gid, name in self.group_names.items() if gid in entries or name in entries}

    def has_group_membership(self, *, group_id: str, user_id: str) -> bool:
        return (group_id, user_id) in self.memberships

    def create_group_membership(self, *, group_id: str, user_id: str) -> Result:
        self.create_calls += 1
        if self.fail_create:
            raise self.fail_create
        self.memberships.add((group_id, user_id))
        return Result("SUCCEEDED", f"membership-{self.create_calls}")

    def delete_group_membership(self, *, group_id: str, user_id: str) -> Result:
        self.memberships.discard((group_id, user_id))
        return Result("SUCCEEDED", "membership-gone")

    def find_user_id_by_email(self, email: str) -> str:
        from jit_access.edges.identity_center import UserNotFound

        if email.lower() not in self.users:
            raise UserNotFound(f"no Identity Center user has the email {email}")
        return self.users[email.lower()]

    def permission_sets(self) -> dict[str, str]:
        return dict(self.permission_set_arns)

    def create_assignment(self, *, account_id: str, permission_set_arn: str, user_id: str) -> Result:
        self.create_calls += 1
        if self.fail_create:
            raise self.fail_create
        if self.create_status == "SUCCEEDED":
            self.assignments.add((account_id, permission_set_arn, user_id))
        return Result(
            self.create_status,
            f"req-{self.create_calls}",
            None if self.create_status == "SUCCEEDED" else "boom",
        )

    def has_assignment(self, *, account_id: str, permission_set_arn: str, user_id: str) -> bool:
        return (account_id, permission_set_arn, user_id) in self.assignments

    def delete_assignment(self, *, account_id: str, permission_set_arn: str, user_id: str) -> Result:
        self.assignments.discard((account_id, permission_set_arn, user_id))
        return Result("SUCCEEDED", "del-1")


@dataclass
class FakeScheduler:
    schedules: dict[str, tuple[datetime, dict]] = field(default_factory=dict)
    fail: bool = False

    def schedule_revoke(self, *, request_id: str, at: datetime, payload: dict) -> str:
        if self.fail:
            raise EdgeError("scheduler unavailable")
        name = f"jit-revoke-{request_id}"
        self.schedules.setdefault(name, (at, payload))
        return name

    def cancel_revoke(self, request_id: str) -> None:
        self.schedules.pop(f"jit-revoke-{request_id}", None)


@dataclass
class FakeSlack:
    emails: dict[str, str] = field(default_factory=dict)  # slack id -> email
    calls: list[tuple[str, dict]] = field(default_factory=list)

    def _record(self, method: str, **kwargs) -> None:
        self.calls.append((method, kwargs))

    def post_message(self, *, channel, text, blocks=None, thread_ts=None) -> str:
        self._record("chat.postMessage", channel=channel, text=text, blocks=blocks, thread_ts=thread_ts)
        return f"{len(self.calls)}.000"

    def update_message(self, *, channel, ts, text, blocks=None) -> None:
        self._record("chat.update", channel=channel, ts=ts, text=text, blocks=blocks)

    def post_ephemeral(self, *, channel, user, text) -> None:
        self._record("chat.postEphemeral", channel=channel, user=user, text=text)

    def send_dm(self, *, user, text) -> None:
        self._record("dm", user=user, text=text)

    def user_email(self, user_id: str) -> str | None:
        return self.emails.get(user_id)

    def user_id_by_email(self, email: str) -> str | None:
        return next((uid for uid, e in self.emails.items() if e.lower() == email.lower()), None)

    def open_view(self, *, trigger_id, view) -> None:
        self._record("views.open", trigger_id=trigger_id, view=view)

    def methods(self) -> list[str]:
        return [m for m, _ in self.calls]
