"""RevokeScheduler against moto EventBridge Scheduler."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import boto3
import pytest
from botocore.stub import Stubber

from jit_access.edges.retry import AwsError
from jit_access.edges.scheduler import RevokeScheduler

RID = "20240501T120000Z-0a1b2c3d"
GROUP = "jit-access"
TARGET = "arn:aws:lambda:us-east-1:123456789012:function:access-revoker"
ROLE = "arn:aws:iam::123456789012:role/jit-access-scheduler"


@pytest.fixture
def client(aws):
    client = boto3.client("scheduler", region_name="us-east-1")
    client.create_schedule_group(Name=GROUP)
    return client


@pytest.fixture
def scheduler(client):
    return RevokeScheduler(scheduler=client, group_name=GROUP, target_arn=TARGET, role_arn=ROLE)


def test_schedule_is_a_one_time_utc_revoke_that_deletes_itself(scheduler, client):
    at = datetime(2024, 5, 1, 14, 30, 0, 250_000, tzinfo=UTC)
    payload = {"action": "revoke", "request_id": RID}

    name = scheduler.schedule_revoke(request_id=RID, at=at, payload=payload)

    got = client.get_schedule(Name=name, GroupName=GROUP)
    assert name == f"jit-revoke-{RID}"
    assert got["ScheduleExpression"] == "at(2024-05-01T14:30:01)"  # rounded up: never fires early
    assert got["ScheduleExpressionTimezone"] == "UTC"
    assert got["FlexibleTimeWindow"] == {"Mode": "OFF"}
    assert got["ActionAfterCompletion"] == "DELETE"
    assert got["Target"]["Arn"] == TARGET
    assert got["Target"]["RoleArn"] == ROLE
    assert json.loads(got["Target"]["Input"]) == payload
    assert got["Target"]["RetryPolicy"]["MaximumRetryAttempts"] > 0


def test_times_in_other_zones_are_converted_to_utc(scheduler, client):
    at = datetime(2024, 5, 1, 16, 30, tzinfo=timezone(timedelta(hours=2)))

    name = scheduler.schedule_revoke(request_id=RID, at=at, payload={})

    assert client.get_schedule(Name=name, GroupName=GROUP)["ScheduleExpression"] == "at(2024-05-01T14:30:00)"


def test_redelivery_keeps_the_first_schedule(scheduler, client):
    first = datetime(2024, 5, 1, 14, 30, tzinfo=UTC)
    scheduler.schedule_revoke(request_id=RID, at=first, payload={"n": 1})

    name = scheduler.schedule_revoke(request_id=RID, at=first + timedelta(seconds=7), payload={"n": 2})

    got = client.get_schedule(Name=name, GroupName=GROUP)
    assert got["ScheduleExpression"] == "at(2024-05-01T14:30:00)"
    assert json.loads(got["Target"]["Input"]) == {"n": 1}
    assert len(client.list_schedules(GroupName=GROUP)["Schedules"]) == 1


def test_cancel_removes_the_schedule_and_is_idempotent(scheduler):
    scheduler.schedule_revoke(request_id=RID, at=datetime(2024, 5, 1, 14, 30, tzinfo=UTC), payload={})
    assert scheduler.exists(RID)

    scheduler.cancel_revoke(RID)
    scheduler.cancel_revoke(RID)

    assert not scheduler.exists(RID)


def test_missing_group_is_an_error_not_silence():
    """moto raises a bare KeyError for an unknown group, so the AWS answer is stubbed here."""
    client = boto3.client("scheduler", region_name="us-east-1")
    scheduler = RevokeScheduler(
        scheduler=client, group_name="no-such-group", target_arn=TARGET, role_arn=ROLE
    )
    with Stubber(client) as stub:
        stub.add_client_error("create_schedule", "ResourceNotFoundException", "Schedule group not found", 404)

        with pytest.raises(AwsError) as raised:
            scheduler.schedule_revoke(request_id=RID, at=datetime(2024, 5, 1, tzinfo=UTC), payload={})

    assert raised.value.code == "ResourceNotFoundException"
    assert not raised.value.retryable


def test_names_fit_the_64_character_limit():
    name = RevokeScheduler.schedule_name("99991231T235959Z-ffffffff")

    assert name == "jit-revoke-99991231T235959Z-ffffffff"
    assert len(name) <= 64


@pytest.mark.parametrize("bad", ["x" * 60, "../20240501T120000Z-0a1b2c3d", "20240501T120000Z-0a1b2c3d "])
def test_malformed_ids_get_no_schedule_name(bad):
    with pytest.raises(ValueError):
        RevokeScheduler.schedule_name(bad)


def test_naive_times_are_refused(scheduler):
    with pytest.raises(ValueError, match="naive"):
        scheduler.schedule_revoke(request_id=RID, at=datetime(2024, 5, 1, 14, 30), payload={})
