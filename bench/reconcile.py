"""Reconcile cost: the AWS calls and wall time of one periodic reconcile, by size.

Each size is (accounts in Organizations, permission sets in Identity Center, live grants). A live grant is
a real account assignment in moto plus its events in the audit bucket, written through the real
RequestStore with the real event models (requested, approved, grant-started, granted), hash-chained as
the service chains them.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

from common import (
    AUDIT_BUCKET,
    CallCounter,
    Figure,
    client,
    judged,
    missing,
    reset_moto,
    seed,
    use_environ,
    utc_now,
)

SIZES = [(20, 10, 20), (100, 20, 100), (300, 40, 300), (1000, 100, 1000)]
WRITERS = 8


def _grant_events(
    request_id: str, subject: Any, requested_at: datetime, end_at: datetime
) -> list[tuple[str, bytes]]:
    """The four events of an approved and granted request, chained by SHA-256 like AccessService does."""
    from jit_access.core.lifecycle import (
        SLOT_DECISION,
        SLOT_GRANT,
        SLOT_GRANT_STARTED,
        SLOT_REQUESTED,
        EventType,
        Person,
        make_event,
        sha256,
    )
    from jit_access.core.timeutil import iso

    approver = Person(slack_id="UBOB", email="bob@example.com")
    steps = [
        (SLOT_REQUESTED, EventType.REQUESTED, subject.requester, {"approver_slack_ids": ["UBOB"]}),
        (SLOT_DECISION, EventType.APPROVED, approver, {}),
        (SLOT_GRANT_STARTED, EventType.GRANT_STARTED, None, {}),
        (
            SLOT_GRANT,
            EventType.GRANTED,
            None,
            {
                "started_at": iso(requested_at + timedelta(minutes=1)),
                "end_at": iso(end_at),
                "aws_request_id": "bench",
                "schedule_name": f"jit-revoke-{request_id}",
            },
        ),
    ]
    events, previous = [], None
    for i, (slot, kind, actor, details) in enumerate(steps):
        raw = make_event(
            kind,
            request_id=request_id,
            now=requested_at + timedelta(seconds=i),
            subject=subject,
            prev_sha256=previous,
            actor=actor,
            rule_ids=("bench",),
            details=details,
            config_version="bench",
        ).to_bytes()
        events.append((slot, raw))
        previous = sha256(raw)
    return events


def seed_grants(deployment: Any, live: int, now: datetime) -> None:
    """`live` grants of the requester on distinct (account, permission set) pairs, ending in 1-4 hours."""
    from jit_access.core.lifecycle import Person, Subject, new_request_id
    from jit_access.edges.store import RequestStore

    store = RequestStore(s3=client(deployment.endpoint, "s3"), bucket=AUDIT_BUCKET)
    sso = client(deployment.endpoint, "sso-admin")
    requester = Person(
        slack_id="UALICE", email="alice@example.com", identity_center_user_id=deployment.user_id
    )
    sets = sorted(deployment.permission_sets.items())
    accounts = deployment.accounts
    if live > len(accounts) * len(sets):
        raise ValueError("more live grants than (account, permission set) pairs")

    def one(i: int) -> None:
        account = accounts[i % len(accounts)]
        name, arn = sets[(i // len(accounts)) % len(sets)]
        sso.create_account_assignment(
            InstanceArn=deployment.instance_arn,
            TargetId=account,
            TargetType="AWS_ACCOUNT",
            PermissionSetArn=arn,
            PrincipalType="USER",
            PrincipalId=deployment.user_id,
        )
        requested_at = now - timedelta(minutes=30 + i % 120)
        request_id = new_request_id(requested_at, f"{i:08x}")
        subject = Subject(
            requester=requester,
            account_id=account,
            account_name=f"account-{i % len(accounts):04d}",
            permission_set_name=name,
            permission_set_arn=arn,
            duration_minutes=240,
            reason="INC-42 bench",
        )
        end_at = requested_at + timedelta(hours=4)
        for slot, raw in _grant_events(request_id, subject, requested_at, end_at):
            store.put_event(request_id, slot, raw)

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        list(pool.map(one, range(live)))


def run(endpoint: str, slack_api_url: str, counter: CallCounter, budget_s: float) -> list[Figure]:
    from jit_access import bootstrap
    from jit_access.handlers import revoker

    figures: list[Figure] = []
    started = time.perf_counter()
    for size in SIZES:
        label = "x".join(str(n) for n in size)
        accounts, permission_sets, live = size
        spent = time.perf_counter() - started
        if size == SIZES[-1] and spent > budget_s * 0.4:
            note = f"skipped: the smaller sizes took {spent:.0f} s, the largest would overrun the budget"
            figures.append(missing(f"reconcile_calls.{label}", "calls", "<= 1000", note))
            figures.append(missing(f"reconcile_s.{label}", "s", "< 60", note))
            continue
        reset_moto(endpoint)
        seed_start = time.perf_counter()
        deployment = seed(
            endpoint, slack_api_url=slack_api_url, accounts=accounts, permission_sets=permission_sets
        )
        now = utc_now()
        seed_grants(deployment, live, now)
        seeded = time.perf_counter() - seed_start

        use_environ(deployment.environ(requester=False))
        bootstrap.runtime.cache_clear()
        runtime = bootstrap.runtime(requester=False)
        counter.reset()
        start = time.perf_counter()
        result = revoker.reconcile(runtime, now)
        elapsed = time.perf_counter() - start
        calls = dict(counter.calls)
        if result["requests"] != live:
            raise RuntimeError(f"reconcile at {label} read {result['requests']} requests, seeded {live}")
        by_op = ", ".join(f"{op} {n}" for op, n in sorted(calls.items(), key=lambda kv: -kv[1]))
        note = f"{by_op}; seeding took {seeded:.0f} s"
        limit = 1000 if size == SIZES[-1] else live * 1000 / SIZES[-1][2]
        figures.append(
            judged(
                f"reconcile_calls.{label}",
                sum(calls.values()),
                "calls",
                "<=",
                limit,
                note + ("" if size == SIZES[-1] else " (target scaled from 1,000 at 1,000 live)"),
            )
        )
        figures.append(
            judged(f"reconcile_s.{label}", elapsed, "s", "<", 60, f"{len(result['overdue'])} overdue")
        )
    return figures
