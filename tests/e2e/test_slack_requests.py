"""Requests that do not come from Slack are refused at the door and leave no trace."""

from __future__ import annotations

import json
import time

from jit_access.local.client import LocalStack

from .helpers import audit_objects


def submission(stack: LocalStack) -> dict:
    return stack.view_submission_payload(
        "alice", account="production", permission_set="AdministratorAccess", duration="1h", reason="forged"
    )


def assert_nothing_happened(stack: LocalStack, trail_before: list[str]) -> None:
    report = stack.run()
    assert report["queue"]["delivered"] == 0, "nothing was queued"
    assert stack.slack_calls() == [], "nothing was said in Slack"
    assert audit_objects(stack) == trail_before


def test_a_request_signed_with_another_secret_is_refused(stack: LocalStack):
    trail_before = audit_objects(stack)

    response = stack.interact(submission(stack), secret="not-the-signing-secret")

    assert response.status == 401
    assert_nothing_happened(stack, trail_before)


def test_a_replayed_request_older_than_five_minutes_is_refused(stack: LocalStack):
    trail_before = audit_objects(stack)

    response = stack.interact(submission(stack), timestamp=int(time.time()) - 6 * 60)

    assert response.status == 401
    assert_nothing_happened(stack, trail_before)


def test_a_request_without_signature_headers_is_refused(stack: LocalStack):
    trail_before = audit_objects(stack)
    body = "payload=" + json.dumps(submission(stack))

    response = stack.post_raw(body.encode(), {"Content-Type": "application/x-www-form-urlencoded"})

    assert response.status == 401
    assert_nothing_happened(stack, trail_before)


def test_a_signed_request_from_another_workspace_is_refused(stack: LocalStack):
    trail_before = audit_objects(stack)
    payload = submission(stack)
    payload["team"]["id"] = "T0OTHER00"
    payload["view"]["team_id"] = "T0OTHER00"

    response = stack.interact(payload)

    assert response.status == 403
    assert_nothing_happened(stack, trail_before)
