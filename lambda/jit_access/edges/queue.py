"""SQS FIFO work queue: the durable half of every Slack interaction (message group = request id)."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from jit_access.edges.retry import call_with_retry

# MessageGroupId / MessageDeduplicationId: 1-128 characters, alphanumeric and punctuation (printable ASCII).
_SQS_ID = re.compile(r"[!-~]{1,128}")


def sqs_id(value: str) -> str:
    """The value itself when SQS accepts it as an id, else its SHA-256 (64 hex characters): deterministic."""
    if _SQS_ID.fullmatch(value):
        return value
    return hashlib.sha256(value.encode()).hexdigest()


class WorkQueue:
    def __init__(self, *, sqs: Any, queue_url: str):
        self._sqs = sqs
        self._queue_url = queue_url

    def send(self, body: dict, *, group_id: str, dedup_id: str) -> None:
        """Enqueue once: a second send with the same dedup id within five minutes is dropped by SQS."""
        call_with_retry(
            self._sqs.send_message,
            QueueUrl=self._queue_url,
            MessageBody=json.dumps(body, sort_keys=True, separators=(",", ":")),
            MessageGroupId=sqs_id(group_id),
            MessageDeduplicationId=sqs_id(dedup_id),
            retryable_codes=(
                "ThrottlingException",
                "RequestThrottled",
                "InternalError",
                "ServiceUnavailable",
            ),
        )
