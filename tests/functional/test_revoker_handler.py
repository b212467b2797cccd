"""The revoker handler fed the Scheduler's revoke input and the reconcile rule's input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from jit_access.bootstrap import Runtime
from jit_access.core.lifecycle import Status
from jit_access.handlers import revoker

from ..scenario import RID, subject


@pytest.fixture
def runtime(service):
    return Runtime(settings=None, service=service, queue=None, verifier=None)  # type: ignore[arg-type]


def granted(runtime) -> None:
    runtime.service.submit(RID, subject())
    runtime.service.click(request_id=RID, action="approve", actor_slack_id="UBOB", channel_id="C")


def test_scheduled_revoke_ends_the_grant(runtime, monkeypatch):
    granted(runtime)
    monkeypatch.setattr(revoker.bootstrap, "runtime", lambda requester: runtime)
    result = revoker.handler({"action": "revoke", "request_id": RID})
    assert result == {"ok": True, "request_id": RID, "status": "revoked"}
    assert runtime.service.identity.assignments == set()


def test_unknown_or_forged_events_change_nothing(runtime, monkeypatch):
    granted(runtime)
    monkeypatch.setattr(revoker.bootstrap, "runtime", lambda requester: runtime)
    assert revoker.handler({"action": "revoke", "request_id": "../etc"})["ok"] is False
    assert revoker.handler({"hello": "world"})["ok"] is False
    assert runtime.service.state(RID).status is Status.GRANTED


def test_reconcile_warns_only_in_warn_mode_and_revokes_in_enforce_mode(runtime):
    granted(runtime)
    end = runtime.service.state(RID).end_at
    soon = revoker.reconcile(runtime, end + timedelta(minutes=1))
    assert soon["overdue"] == []  # the schedule still has its grace period

    warned = revoker.reconcile(runtime, end + timedelta(minutes=10))
    assert warned["overdue"] == [RID] and warned["revoked"] == []
    assert runtime.service.state(RID).status is Status.GRANTED

    runtime.service.config = runtime.service.config.model_copy(update={"reconcile_mode": "enforce"})
    enforced = revoker.reconcile(runtime, end + timedelta(minutes=10))
    assert enforced["revoked"] == [RID]
    state = runtime.service.state(RID)
    assert state.status is Status.REVOKED and state.revoke.details["how"] == "reconcile"


def test_reconcile_leaves_grants_within_their_time(runtime):
    granted(runtime)
    assert revoker.reconcile(runtime, datetime(2026, 12, 4, 10, 30, tzinfo=UTC))["overdue"] == []
