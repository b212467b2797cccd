from datetime import UTC, datetime

from jit_access.core.report import sessions

from ..scenario import ONCALL_ID, PROD, RID, group_subject, subject


def test_session_row_answers_who_what_why_who_approved_and_how_long(service):
    service.submit(RID, subject())
    service.click(request_id=RID, action="approve", actor_slack_id="UBOB", channel_id="C")
    active = service.state(RID)
    service.clock = lambda: datetime(2026, 12, 4, 10, 45, 30, tzinfo=UTC)
    done = service.revoke(RID, how="schedule")

    (row,) = sessions([done], now=datetime(2026, 12, 5, tzinfo=UTC))
    assert row.requester == "alice@example.com"
    assert row.account == PROD
    assert row.permission_set == "AdministratorAccess"
    assert "incident 42" in row.reason
    assert row.approved_by == "bob@example.com"
    assert (row.started_at, row.ended_at, row.duration) == (
        "2026-12-04T10:00:00Z",
        "2026-12-04T10:45:30Z",
        "0h45m30s",
    )
    assert row.outcome == "revoked"

    (open_row,) = sessions([active], now=datetime(2026, 12, 4, 10, 30, tzinfo=UTC))
    assert (open_row.ended_at, open_row.duration) == ("active", "0h30m00s")


def test_a_group_session_shows_the_group_where_the_account_would_be(service):
    service.submit(RID, group_subject())
    service.click(request_id=RID, action="approve", actor_slack_id="UBOB", channel_id="C")
    (row,) = sessions([service.state(RID)], now=datetime(2026, 12, 4, 10, 30, tzinfo=UTC))
    assert row.account == f"group Oncall ({ONCALL_ID})"
    assert row.permission_set == "" and row.approved_by == "bob@example.com" and row.ended_at == "active"
