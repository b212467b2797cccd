"""WorkQueue against a moto SQS FIFO queue."""

from __future__ import annotations

import json

import boto3
import pytest

from jit_access.edges.queue import WorkQueue, sqs_id

RID = "20240501T120000Z-0a1b2c3d"


@pytest.fixture
def sqs(aws):
    return boto3.client("sqs", region_name="us-east-1")


@pytest.fixture
def queue_url(sqs):
    return sqs.create_queue(QueueName="jit-access-work.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]


def receive_all(sqs, queue_url):
    messages = sqs.receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["MessageGroupId"]
    ).get("Messages", [])
    return [(json.loads(m["Body"]), m["Attributes"]["MessageGroupId"]) for m in messages]


def test_message_carries_the_body_in_its_request_group(sqs, queue_url):
    WorkQueue(sqs=sqs, queue_url=queue_url).send(
        {"kind": "submit", "request_id": RID}, group_id=RID, dedup_id="a"
    )

    assert receive_all(sqs, queue_url) == [({"kind": "submit", "request_id": RID}, RID)]


def test_same_dedup_id_is_delivered_once(sqs, queue_url):
    queue = WorkQueue(sqs=sqs, queue_url=queue_url)
    queue.send({"kind": "click", "n": 1}, group_id=RID, dedup_id="click-U1-1714567890.123")
    queue.send({"kind": "click", "n": 2}, group_id=RID, dedup_id="click-U1-1714567890.123")
    queue.send({"kind": "click", "n": 3}, group_id=RID, dedup_id="click-U2-1714567890.456")

    assert [body["n"] for body, _ in receive_all(sqs, queue_url)] == [1, 3]


def test_ids_sqs_would_refuse_are_hashed_deterministically(sqs, queue_url):
    long_id = "submit-" + "V" * 200
    spaced_id = "view id with spaces é"
    queue = WorkQueue(sqs=sqs, queue_url=queue_url)
    queue.send({"n": 1}, group_id=RID, dedup_id=long_id)
    queue.send({"n": 2}, group_id=RID, dedup_id=long_id)
    queue.send({"n": 3}, group_id=RID, dedup_id=spaced_id)

    assert [body["n"] for body, _ in receive_all(sqs, queue_url)] == [1, 3]
    assert len(sqs_id(long_id)) <= 128
    assert sqs_id(long_id) != sqs_id(long_id + "x")


def test_valid_ids_are_kept_readable():
    assert sqs_id("submit-V0123ABC") == "submit-V0123ABC"
