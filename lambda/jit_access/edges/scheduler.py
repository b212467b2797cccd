"""EventBridge Scheduler: one one-time revoke schedule per grant, named after the request."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

from jit_access.core.timeutil import schedule_expression
from jit_access.edges.ids import check_request_id
from jit_access.edges.retry import AwsError, call_with_retry

log = logging.getLogger(__name__)

NAME_PREFIX = "jit-revoke-"
MAX_NAME_LENGTH = 64
# ConflictException from CreateSchedule means "a schedule of that name exists": an answer, not a retry.
_RETRYABLE = (
    "ThrottlingException",
    "InternalServerException",
    "ServiceUnavailable",
    "TooManyRequestsException",
)
# The revoke must happen: let Scheduler keep retrying the invocation for a day if the revoker is failing.
RETRY_POLICY = {"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 185}


class RevokeScheduler:
    def __init__(self, *, scheduler: Any, group_name: str, target_arn: str, role_arn: str):
        self._scheduler = scheduler
        self._group = group_name
        self._target_arn = target_arn
        self._role_arn = role_arn

    @staticmethod
    def schedule_name(request_id: str) -> str:
        """`jit-revoke-<request id>`; ValueError for a malformed id or a name over 64 characters."""
        name = NAME_PREFIX + check_request_id(request_id)
        if len(name) > MAX_NAME_LENGTH:
            raise ValueError(f"schedule name {name!r} is longer than {MAX_NAME_LENGTH} characters")
        return name

    def schedule_revoke(self, *, request_id: str, at: datetime, payload: dict) -> str:
        """Create the one-time schedule; one that already exists (a redelivery) counts as created."""
        name = self.schedule_name(request_id)
        try:
            call_with_retry(
                self._scheduler.create_schedule,
                Name=name,
                GroupName=self._group,
                ScheduleExpression=schedule_expression(at),
                ScheduleExpressionTimezone="UTC",
                FlexibleTimeWindow={"Mode": "OFF"},
                ActionAfterCompletion="DELETE",
                Description=f"jit-access: revoke the access of request {request_id}",
                Target={
                    "Arn": self._target_arn,
                    "RoleArn": self._role_arn,
                    "Input": json.dumps(payload, sort_keys=True),
                    "RetryPolicy": RETRY_POLICY,
                },
                retryable_codes=_RETRYABLE,
            )
        except AwsError as error:
            if error.code != "ConflictException":
                raise
            log.info("revoke schedule %s already exists (redelivery); kept as it is", name)
        return name

    def cancel_revoke(self, request_id: str) -> None:
        """Delete the schedule; one that does not exist (fired, or never made) is fine."""
        try:
            call_with_retry(
                self._scheduler.delete_schedule,
                Name=self.schedule_name(request_id),
                GroupName=self._group,
                retryable_codes=(*_RETRYABLE, "ConflictException"),
            )
        except AwsError as error:
            if error.code != "ResourceNotFoundException":
                raise

    def exists(self, request_id: str) -> bool:
        try:
            call_with_retry(
                self._scheduler.get_schedule,
                Name=self.schedule_name(request_id),
                GroupName=self._group,
                retryable_codes=_RETRYABLE,
            )
        except AwsError as error:
            if error.code == "ResourceNotFoundException":
                return False
            raise
        return True
