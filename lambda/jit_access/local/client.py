"""A client of a running local stack, for the end-to-end tests, the demo and your own scenarios.

    stack = LocalStack.load()                       # reads .jit-access-local/stack.json
    stack.interact(stack.shortcut_payload("alice"))
    stack.interact(stack.view_submission_payload("alice", account="production",
                   permission_set="AdministratorAccess", duration="1h", reason="INC-42"))
    stack.run()                                     # drain the queue, fire what is due
    request_id = stack.request_ids()[-1]
    stack.interact(stack.block_actions_payload("bob", action_id="approve", value=request_id))
    stack.run()

Requests are signed exactly as Slack signs them (`v0:{timestamp}:{body}`, HMAC-SHA256 with the signing
secret); interactive payloads are the form field `payload=<json>`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlencode

from jit_access.core import views as _views
from jit_access.core.views import (
    ACTION_APPROVE,
    ACTION_DENY,
    CALLBACK_REQUEST_MODAL,
    CALLBACK_SHORTCUT,
)
from jit_access.local.stack import STATE_DIR_NAME

FIELDS = {
    "account": (_views.BLOCK_ACCOUNT, _views.ACTION_ACCOUNT),
    "permission_set": (_views.BLOCK_PERMISSION_SET, _views.ACTION_PERMISSION_SET),
    "group": (_views.BLOCK_GROUP, _views.ACTION_GROUP),
    "duration": (_views.BLOCK_DURATION, _views.ACTION_DURATION),
    "reason": (_views.BLOCK_REASON, _views.ACTION_REASON),
}

PayloadKind = Literal["interactive", "form", "event"]


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


def _http(
    method: str,
    url: str,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 120.0,
) -> Response:
    request = urllib.request.Request(url, data=body, method=method, headers=dict(headers or {}))
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:
            return Response(reply.status, {k.lower(): v for k, v in reply.headers.items()}, reply.read())
    except urllib.error.HTTPError as error:
        return Response(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read())


def _iso(now: datetime | str | None) -> str | None:
    if now is None or isinstance(now, str):
        return now
    if now.tzinfo is None:
        raise ValueError("give `now` with a time zone (UTC)")
    return now.isoformat()


class LocalStack:
    """The running local stack described by a stack.json."""

    def __init__(self, stack: dict[str, Any], root: Path):
        self.stack = stack
        self.root = root

    @classmethod
    def load(cls, directory: str | Path | None = None) -> LocalStack:
        """From `.jit-access-local/` in `directory` (default: the current one), or that directory itself."""
        base = Path(directory) if directory is not None else Path.cwd()
        root = base if (base / "stack.json").exists() else base / STATE_DIR_NAME
        path = root / "stack.json"
        if not path.exists():
            raise FileNotFoundError(f"{path} not found: run `jit-access local up` first")
        return cls(json.loads(path.read_text()), root)

    def __getitem__(self, key: str) -> Any:
        return self.stack[key]

    @property
    def team_id(self) -> str:
        return str(self.stack["team_id"])

    @property
    def channel_id(self) -> str:
        return str(self.stack["channel_id"])

    def user(self, who: str) -> dict[str, Any]:
        """A person of the stack by name, Slack id or email."""
        for user in self.stack["users"]:
            if who in (user["name"], user["slack_id"]) or who.lower() == user["email"]:
                return dict(user)
        raise KeyError(f"no user {who!r} in the local stack")

    def account_id(self, account: str) -> str:
        """An account id from its name (or the id itself)."""
        return str(self.stack["accounts"].get(account, account))

    # --- signed requests -------------------------------------------------------------------------------

    def sign(self, body: str, *, timestamp: int | None = None, secret: str | None = None) -> dict[str, str]:
        """The headers Slack sends with a request body."""
        timestamp = int(time.time()) if timestamp is None else timestamp
        key = (secret if secret is not None else self.stack["signing_secret"]).encode()
        digest = hmac.new(key, f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
        return {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": f"v0={digest}"}

    def post_raw(self, body: bytes, headers: Mapping[str, str]) -> Response:
        """POST to the Slack request URL exactly what is given (for unsigned or forged requests)."""
        return _http("POST", self.stack["events_url"], body, headers)

    def sign_and_post(
        self,
        payload_kind: PayloadKind,
        body: Mapping[str, Any] | str,
        *,
        timestamp: int | None = None,
        secret: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        """Sign as Slack does and POST to the Slack request URL.

        `interactive`: `body` is the payload object, sent as the form field `payload=<json>`;
        `form`: `body` is form fields (or an encoded form string), e.g. a slash command;
        `event`: `body` is an Events API object, sent as JSON.
        """
        if payload_kind == "interactive":
            payload = body if isinstance(body, str) else json.dumps(body, separators=(",", ":"))
            text, content_type = urlencode({"payload": payload}), "application/x-www-form-urlencoded"
        elif payload_kind == "form":
            text = body if isinstance(body, str) else urlencode(dict(body))
            content_type = "application/x-www-form-urlencoded"
        elif payload_kind == "event":
            text, content_type = (body if isinstance(body, str) else json.dumps(body)), "application/json"
        else:
            raise ValueError(f"unknown payload kind {payload_kind!r}")
        sent = {
            "Content-Type": content_type,
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
            **self.sign(text, timestamp=timestamp, secret=secret),
            **(headers or {}),
        }
        return self.post_raw(text.encode(), sent)

    def interact(self, payload: Mapping[str, Any], **kwargs: Any) -> Response:
        return self.sign_and_post("interactive", payload, **kwargs)

    # --- realistic Slack payloads ----------------------------------------------------------------------

    def _user_part(self, who: str) -> dict[str, Any]:
        user = self.user(who)
        return {
            "id": user["slack_id"],
            "username": user["name"],
            "name": user["name"],
            "team_id": self.team_id,
        }

    def _team(self) -> dict[str, str]:
        return {"id": self.team_id, "domain": "local-workspace"}

    @staticmethod
    def new_trigger_id() -> str:
        return f"{int(time.time())}.{secrets.randbelow(10**12)}.{secrets.token_hex(16)}"

    def shortcut_payload(
        self, who: str, *, callback_id: str = CALLBACK_SHORTCUT, trigger_id: str | None = None
    ) -> dict[str, Any]:
        """A global shortcut press."""
        return {
            "type": "shortcut",
            "token": "deprecated-verification-token",
            "action_ts": f"{time.time():.6f}",
            "team": self._team(),
            "user": self._user_part(who),
            "is_enterprise_install": False,
            "enterprise": None,
            "callback_id": callback_id,
            "trigger_id": trigger_id or self.new_trigger_id(),
        }

    def view_submission_payload(
        self,
        who: str,
        *,
        account: str | None = None,
        permission_set: str | None = None,
        group: str | None = None,
        duration: str,
        reason: str,
        view_id: str | None = None,
        callback_id: str = CALLBACK_REQUEST_MODAL,
        extra_values: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """The request modal submitted. `account` is a name or an id, `group` a group's display name or id
        (the form's group field is left out when None, as without group rules); values as Slack's state
        shows them, an optional menu left empty as `selected_option: null`."""

        def selected(text: str | None, value: str | None) -> dict[str, Any]:
            if value is None:
                return {"type": "static_select", "selected_option": None}
            return {
                "type": "static_select",
                "selected_option": {
                    "text": {"type": "plain_text", "text": text or value, "emoji": True},
                    "value": value,
                },
            }

        account_id = self.account_id(account) if account is not None else None
        names = {v: k for k, v in self.stack["accounts"].items()}
        label = f"{names[account_id]} ({account_id})" if account_id in names else account_id
        fields: list[tuple[str, dict[str, Any]]] = [
            ("account", selected(label, account_id)),
            ("permission_set", selected(permission_set, permission_set)),
        ]
        if group is not None:
            group_id = str(self.stack.get("groups", {}).get(group, group))
            group_names = {v: k for k, v in self.stack.get("groups", {}).items()}
            group_label = f"{group_names[group_id]} ({group_id})" if group_id in group_names else group_id
            fields.append(("group", selected(group_label, group_id)))

        values: dict[str, Any] = {}
        for field, state in (
            *fields,
            ("duration", selected(duration, duration)),
            ("reason", {"type": "plain_text_input", "value": reason}),
        ):
            block_id, action_id = FIELDS[field]
            values[block_id] = {action_id: state}
        values.update(extra_values or {})
        view_id = view_id or "V" + secrets.token_hex(5).upper()
        return {
            "type": "view_submission",
            "team": self._team(),
            "user": self._user_part(who),
            "api_app_id": "A0JITACCESS",
            "token": "deprecated-verification-token",
            "trigger_id": self.new_trigger_id(),
            "view": {
                "id": view_id,
                "team_id": self.team_id,
                "type": "modal",
                "callback_id": callback_id,
                "private_metadata": "",
                "hash": f"{time.time():.6f}.{secrets.token_hex(4)}",
                "state": {"values": values},
                "root_view_id": view_id,
                "app_id": "A0JITACCESS",
                "bot_id": "B0JITBOT",
            },
            "response_urls": [],
            "is_enterprise_install": False,
        }

    def block_actions_payload(
        self,
        who: str,
        *,
        action_id: str,
        value: str,
        message_ts: str | None = None,
        channel_id: str | None = None,
        block_id: str = "decision",
    ) -> dict[str, Any]:
        """A button pressed on a message (by default the request's message in the approvers' channel)."""
        channel_id = channel_id or self.channel_id
        message_ts = message_ts or self.message_ts(value) or f"{time.time():.6f}"
        action_ts = f"{time.time():.6f}"
        return {
            "type": "block_actions",
            "user": self._user_part(who),
            "api_app_id": "A0JITACCESS",
            "token": "deprecated-verification-token",
            "container": {
                "type": "message",
                "message_ts": message_ts,
                "channel_id": channel_id,
                "is_ephemeral": False,
            },
            "trigger_id": self.new_trigger_id(),
            "team": self._team(),
            "enterprise": None,
            "is_enterprise_install": False,
            "channel": {"id": channel_id, "name": "aws-access"},
            "message": {
                "type": "message",
                "ts": message_ts,
                "text": "AWS access request",
                "user": "U0JITBOT",
            },
            "response_url": f"https://hooks.slack.com/actions/{self.team_id}/1/{secrets.token_hex(8)}",
            "actions": [
                {
                    "action_id": action_id,
                    "block_id": block_id,
                    "text": {"type": "plain_text", "text": action_id.title(), "emoji": True},
                    "value": value,
                    "type": "button",
                    "action_ts": action_ts,
                }
            ],
        }

    # --- the usual gestures ----------------------------------------------------------------------------

    def press_shortcut(self, who: str) -> Response:
        return self.interact(self.shortcut_payload(who))

    def submit_request(
        self,
        who: str,
        *,
        account: str | None = None,
        permission_set: str | None = None,
        group: str | None = None,
        duration: str = "1h",
        reason: str = "local test",
    ) -> Response:
        """Submit the request form for an account and a permission set, or for a group."""
        return self.interact(
            self.view_submission_payload(
                who,
                account=account,
                permission_set=permission_set,
                group=group,
                duration=duration,
                reason=reason,
            )
        )

    def group_id(self, group: str) -> str:
        """A seeded group's id from its display name (or the id itself)."""
        return str(self.stack.get("groups", {}).get(group, group))

    def approve(self, who: str, request_id: str) -> Response:
        return self.interact(self.block_actions_payload(who, action_id=ACTION_APPROVE, value=request_id))

    def deny(self, who: str, request_id: str) -> Response:
        return self.interact(self.block_actions_payload(who, action_id=ACTION_DENY, value=request_id))

    # --- time, Slack calls, AWS ------------------------------------------------------------------------

    def run(self, now: datetime | str | None = None) -> dict[str, Any]:
        """Drain the queue, fire what is due at `now` (default: the clock); says what ran, errors included."""
        body = json.dumps({"now": _iso(now)} if now is not None else {}).encode()
        response = _http(
            "POST", self.stack["run_url"], body, {"Content-Type": "application/json"}, timeout=600
        )
        result = response.json()
        if response.status != 200:
            raise RuntimeError(f"run failed: {result}")
        return dict(result)

    def slack_calls(self, method: str | None = None) -> list[dict[str, Any]]:
        """Every call the functions made to the Slack stand-in, in order (optionally of one method)."""
        calls = _http("GET", self.stack["calls_url"]).json()
        return [c for c in calls if method is None or c["method"] == method]

    def clear_calls(self) -> None:
        _http("DELETE", self.stack["calls_url"])

    def plan_slack_failure(
        self,
        method: str,
        error: str,
        *,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
        count: int = 1,
    ) -> None:
        """Make the next `count` calls of a Slack method fail (e.g. ratelimited with status 429)."""
        plan = {
            "method": method,
            "error": error,
            "status": status,
            "headers": dict(headers or {}),
            "count": count,
        }
        _http("POST", self.stack["plan_url"], json.dumps(plan).encode(), {"Content-Type": "application/json"})

    def aws(self, service: str) -> Any:
        """A boto3 client of the embedded AWS."""
        import boto3

        return boto3.session.Session(
            aws_access_key_id="test", aws_secret_access_key="test", region_name=self.stack["region"]
        ).client(service, endpoint_url=self.stack["aws_endpoint_url"])  # type: ignore[call-overload]

    # --- what happened: for the demo, the end-to-end tests and your own scenarios -----------------------

    def has_access(self, who: str, account: str, permission_set: str) -> bool:
        """Does the person hold the permission set on the account in Identity Center right now?"""
        user_id = self.user(who)["identity_center_user_id"]
        assignments = self.aws("sso-admin").list_account_assignments(
            InstanceArn=self.stack["sso_instance_arn"],
            AccountId=self.account_id(account),
            PermissionSetArn=self.stack["permission_sets"][permission_set],
        )["AccountAssignments"]
        return any(a["PrincipalId"] == user_id for a in assignments)

    def revoke_schedule_names(self) -> set[str]:
        schedules = self.aws("scheduler").list_schedules(GroupName=self.stack["schedule_group"])["Schedules"]
        return {s["Name"] for s in schedules}

    def dms_to(self, who: str) -> list[str]:
        """Texts of the app's direct messages to the person."""
        slack_id = self.user(who)["slack_id"]
        return [
            str(c["args"].get("text", ""))
            for c in self.slack_calls("chat.postMessage")
            if c["args"].get("channel") == slack_id
        ]

    def ephemerals_to(self, who: str) -> list[str]:
        """Texts only the person saw in the channel (refused clicks, 'Nothing to do')."""
        slack_id = self.user(who)["slack_id"]
        return [
            str(c["args"]["text"])
            for c in self.slack_calls("chat.postEphemeral")
            if c["args"]["user"] == slack_id
        ]

    def request_ids(self) -> list[str]:
        """Request ids carried by Approve/Deny buttons of the messages posted so far, oldest first."""
        ids: list[str] = []
        for call in self.slack_calls():
            if call["method"] not in ("chat.postMessage", "chat.update"):
                continue
            for value in _button_values(call["args"].get("blocks") or []):
                if value not in ids:
                    ids.append(value)
        return ids

    def message_ts(self, request_id: str) -> str | None:
        """The ts of the channel message whose buttons carry the request id."""
        for call in self.slack_calls("chat.postMessage"):
            if request_id in _button_values(call["args"].get("blocks") or []) and call["ok"]:
                return str(call["response"]["ts"])
        return None


def _button_values(blocks: Any) -> list[str]:
    values: list[str] = []
    if isinstance(blocks, dict):
        if blocks.get("type") == "button" and blocks.get("action_id") in (ACTION_APPROVE, ACTION_DENY):
            values.append(str(blocks.get("value")))
        for child in blocks.values():
            values.extend(_button_values(child))
    elif isinstance(blocks, list):
        for child in blocks:
            values.extend(_button_values(child))
    return values
