"""The revoker Lambda: one-time revoke schedules and the periodic reconcile rule."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import ValidationError

from jit_access import bootstrap
from jit_access.core.reconcile import overdue_grants
from jit_access.core.rules import all_rules, max_duration
from jit_access.handlers.payloads import REVOKER_COMMAND, RevokeCommand

log = logging.getLogger(__name__)
logging.getLogger().setLevel(logging.INFO)


def handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    runtime = bootstrap.runtime(requester=False)
    try:
        command = REVOKER_COMMAND.validate_python(event)
    except ValidationError:
        log.error("ignored an event that is neither a revoke nor a reconcile")
        return {"ok": False, "error": "unknown event"}
    if isinstance(command, RevokeCommand):
        state = runtime.service.revoke(command.request_id, how="schedule")
        return {"ok": True, "request_id": command.request_id, "status": state.status.value if state else None}
    return reconcile(runtime, datetime.now(UTC))


def reconcile(runtime: bootstrap.Runtime, now: datetime) -> dict[str, Any]:
    """Revoke grants whose schedule did not (or, in warn-only mode, report them)."""
    service = runtime.service
    config = service.config
    longest = max(
        [max_duration(config, [rule]) for rule in all_rules(config)] + [config.default_max_duration_delta]
    )
    since = (now - longest - timedelta(days=1)).date()
    states = [
        s for s in (service.state(rid) for rid in service.store.list_request_ids(since_date=since)) if s
    ]
    overdue = overdue_grants(now, states)
    revoked = []
    for state in overdue:
        if config.reconcile_mode == "enforce":
            service.revoke(state.request_id, how="reconcile")
            revoked.append(state.request_id)
        else:
            log.warning("warn-only: grant %s is past its end and still active", state.request_id)
    log.info("reconcile: %d requests read, %d overdue, %d revoked", len(states), len(overdue), len(revoked))
    return {
        "ok": True,
        "requests": len(states),
        "overdue": [s.request_id for s in overdue],
        "revoked": revoked,
    }
