"""What the periodic reconcile must revoke. Pure: the revoker reads state, this decides, the revoker acts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from jit_access.core.lifecycle import RequestState, Status

# A schedule fires within a minute of its time; the reconcile only steps in once that has clearly failed.
GRACE = timedelta(minutes=5)


def overdue_grants(now: datetime, states: Iterable[RequestState]) -> list[RequestState]:
    """Grants still active past their end (plus grace): their schedule did not revoke them."""
    return [
        state
        for state in states
        if state.status is Status.GRANTED and state.end_at is not None and state.end_at + GRACE <= now
    ]
