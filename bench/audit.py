"""`jit-access audit sessions --since 365d` over generated request events in the (moto) audit bucket.

Requests of five events each (requested, an approval vote, approved, granted, revoked), spread over the
last year, are written through the real RequestStore until 100,000 events or the write budget is spent;
then the real command runs against the bucket, output to a buffer.
"""

from __future__ import annotations

import contextlib
import io
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from common import AUDIT_BUCKET, CallCounter, Figure, client, judged, missing, reset_moto, seed, utc_now

TARGET_EVENTS = 100_000
EVENTS_PER_REQUEST = 5
BATCH = 500
WRITERS = 8


def _request_events(i: int, now: datetime, deployment: object) -> tuple[str, list[tuple[str, bytes]]]:
    from jit_access.core.lifecycle import (
        SLOT_DECISION,
        SLOT_GRANT,
        SLOT_REQUESTED,
        SLOT_REVOKE,
        EventType,
        Person,
        Subject,
        approval_slot,
        make_event,
        new_request_id,
        sha256,
    )
    from jit_access.core.timeutil import iso

    requested_at = now - timedelta(days=364) + timedelta(seconds=i * 1_571)  # about 20,000 spread over a year
    request_id = new_request_id(requested_at, f"{i:08x}")
    requester = Person(slack_id=f"U{i % 300:08d}", email=f"person{i % 300}@example.com")
    approver = Person(slack_id="UBOB", email="bob@example.com")
    subject = Subject(
        requester=requester,
        account_id=f"{100_000_000_000 + i % 50:012d}",
        account_name=f"account-{i % 50:04d}",
        permission_set_name=f"PermissionSet{i % 10:03d}",
        permission_set_arn=f"arn:aws:sso:::permissionSet/ssoins-bench/ps-{i % 10:016x}",
        duration_minutes=60,
        reason=f"INC-{i} looking into something",
    )
    started = requested_at + timedelta(minutes=2)
    steps = [
        (SLOT_REQUESTED, EventType.REQUESTED, requester, {}),
        (approval_slot("UBOB"), EventType.APPROVAL, approver, {}),
        (SLOT_DECISION, EventType.APPROVED, approver, {}),
        (
            SLOT_GRANT,
            EventType.GRANTED,
            None,
            {"started_at": iso(started), "end_at": iso(started + timedelta(hours=1))},
        ),
        (SLOT_REVOKE, EventType.REVOKED, None, {"how": "schedule"}),
    ]
    events, previous = [], None
    for n, (slot, kind, actor, details) in enumerate(steps):
        raw = make_event(
            kind,
            request_id=request_id,
            now=requested_at
            + timedelta(minutes=n)
            + (timedelta(hours=1) if slot == SLOT_REVOKE else timedelta()),
            subject=subject,
            prev_sha256=previous,
            actor=actor,
            rule_ids=("bench",),
            details=details,
        ).to_bytes()
        events.append((slot, raw))
        previous = sha256(raw)
    return request_id, events


def run(endpoint: str, slack_api_url: str, counter: CallCounter, write_budget_s: float) -> list[Figure]:
    from jit_access import cli
    from jit_access.edges.store import RequestStore

    reset_moto(endpoint)
    deployment = seed(
        endpoint, slack_api_url=slack_api_url, accounts=1, permission_sets=1, organization=False
    )
    store = RequestStore(s3=client(endpoint, "s3"), bucket=AUDIT_BUCKET)
    now = utc_now()

    def write(i: int) -> None:
        request_id, events = _request_events(i, now, deployment)
        for slot, raw in events:
            store.put_event(request_id, slot, raw)

    requests, start = 0, time.perf_counter()
    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        while requests * EVENTS_PER_REQUEST < TARGET_EVENTS and time.perf_counter() - start < write_budget_s:
            list(pool.map(write, range(requests, requests + BATCH)))
            requests += BATCH
    written = time.perf_counter() - start
    events = requests * EVENTS_PER_REQUEST

    out = io.StringIO()
    counter.reset()
    start = time.perf_counter()
    with contextlib.redirect_stdout(out):
        code = cli.main(
            ["audit", "sessions", "--bucket", AUDIT_BUCKET, "--since", "365d", "--endpoint-url", endpoint]
        )
    elapsed = time.perf_counter() - start
    calls = sum(counter.calls.values())
    tail = out.getvalue().strip().splitlines()[-1] if out.getvalue().strip() else ""
    if code != 0 or tail != f"{requests} session(s)":
        raise RuntimeError(f"audit sessions exited {code}, printed {tail!r}, expected {requests} sessions")
    note = (
        f"{events:,} events ({requests:,} requests x {EVENTS_PER_REQUEST}), {calls:,} S3 calls"
        f"; writing them to moto took {written:.0f} s"
    )
    figures = [judged("audit_sessions_s", elapsed, "s", "<", 3, note)]
    if events < TARGET_EVENTS:
        figures[
            0
        ].note += f"; fewer than {TARGET_EVENTS:,} events: the write budget ({write_budget_s:.0f} s) ran out"
        projected = elapsed * TARGET_EVENTS / events
        figures.append(
            judged(
                "audit_sessions_s.projected_100k",
                projected,
                "s",
                "<",
                3,
                f"linear extrapolation, not measured: the command makes {calls / requests:.1f} sequential S3 "
                f"calls per request (about {calls * TARGET_EVENTS // events:,} at 100k events)",
            )
        )
    figures.append(missing("audit_verify_s", "s", "", "`jit-access audit verify` does not exist yet"))
    return figures
