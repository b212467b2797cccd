"""What the end-to-end tests look at: Identity Center assignments, revoke schedules, audit objects, Slack."""

from __future__ import annotations

from typing import Any

from jit_access.local.client import LocalStack

# What the client already answers, under the names the tests use.
has_access = LocalStack.has_access
revoke_schedule_names = LocalStack.revoke_schedule_names
dms_to = LocalStack.dms_to
ephemerals_to = LocalStack.ephemerals_to


def audit_objects(stack: LocalStack, request_id: str | None = None) -> list[str]:
    """Keys under audit/ (of one request, when given)."""
    s3 = stack.aws("s3")
    keys: list[str] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=stack["audit_bucket"], Prefix="audit/"):
        keys.extend(o["Key"] for o in page.get("Contents", []))
    if request_id is not None:
        keys = [k for k in keys if f"/request_id={request_id}/" in k]
    return sorted(keys)


def audit_slots(stack: LocalStack, request_id: str) -> list[str]:
    """The slot names written for a request, e.g. ['00-requested', '20-decision', ...]."""
    return [key.rsplit("/", 1)[1].removesuffix(".json") for key in audit_objects(stack, request_id)]


def audit_event(stack: LocalStack, request_id: str, slot: str) -> dict[str, Any]:
    import json

    (key,) = [k for k in audit_objects(stack, request_id) if k.endswith(f"/{slot}.json")]
    body = stack.aws("s3").get_object(Bucket=stack["audit_bucket"], Key=key)["Body"].read()
    return dict(json.loads(body))


def request(stack: LocalStack, who: str, account: str, permission_set: str, **form: Any) -> str:
    """Press the shortcut, submit the form, let the queue run; the new request's id."""
    before = set(stack.request_ids())
    assert stack.press_shortcut(who).status == 200
    submitted = stack.submit_request(who, account=account, permission_set=permission_set, **form)
    assert submitted.status == 200, submitted.text
    stack.run()
    (request_id,) = [i for i in stack.request_ids() if i not in before]
    return request_id


def is_member(stack: LocalStack, who: str, group: str) -> bool:
    """Is the person a member of the Identity Center group (by display name) right now?"""
    user_id = stack.user(who)["identity_center_user_id"]
    memberships = stack.aws("identitystore").list_group_memberships(
        IdentityStoreId=stack["identity_store_id"], GroupId=stack.group_id(group)
    )["GroupMemberships"]
    return any(m["MemberId"].get("UserId") == user_id for m in memberships)
