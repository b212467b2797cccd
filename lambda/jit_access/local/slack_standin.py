"""A stand-in for the Slack Web API that records every call: the local stack's Slack.

    python -m jit_access.local.slack_standin --config slack.json --ready-file run/slack.json

`/api/<method>` answers GET (query string) and POST (form or JSON) as Slack does, checks the bot token
(`Authorization: Bearer` or a `token` argument), and keeps enough state to catch real mistakes: unknown
users, updates of messages never posted, trigger ids used twice, users not in the channel. Replies are
always HTTP 200 with `{"ok": false, "error": ...}` for errors, like Slack, unless a failure was planned.

Test hooks (not part of Slack): `GET /_calls` (every call in order: method, arguments without the token,
time, the reply), `DELETE /_calls` (forget them), `POST /_plan` with
`{"method": "chat.postMessage", "error": "ratelimited", "status": 429, "headers": {"Retry-After": "1"},
"count": 1}` (the next `count` calls of the method fail that way), `GET /_health`.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import itertools
import json
import secrets
import signal
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from jit_access.local.process import write_ready_file

PAGE_SIZE = 2  # conversations.members pages hold two members, so callers must follow the cursor
_JSON_ARGUMENTS = ("blocks", "attachments", "view", "metadata")

Reply = dict[str, Any]


class SlackError(Exception):
    def __init__(self, error: str, **extra: Any):
        super().__init__(error)
        self.error = error
        self.extra = extra


class SlackStandIn:
    """The workspace's state and the Web API methods jit-access uses. Thread-safe."""

    def __init__(
        self,
        *,
        token: str,
        team_id: str,
        channel_id: str,
        people: list[dict[str, Any]],
        channel_name: str = "aws-access",
        bot_user_id: str = "U0JITBOT",
    ):
        self.token = token
        self.team_id = team_id
        self.channel_id = channel_id
        self.channel_name = channel_name
        self.bot_user_id = bot_user_id
        self.people = {p["id"]: p for p in people}
        self._lock = threading.Lock()
        self._calls: list[dict[str, Any]] = []
        self._seq = itertools.count(1)
        self._last_ts = 0.0
        self._messages: dict[str, dict[str, Any]] = {}  # ts → {channel, text, blocks, thread_ts}
        self._views: dict[str, dict[str, Any]] = {}
        self._used_triggers: set[str] = set()
        self._planned: dict[str, list[dict[str, Any]]] = {}
        self._methods: dict[str, Callable[[dict[str, Any]], Reply]] = {
            "auth.test": self.auth_test,
            "users.info": self.users_info,
            "users.lookupByEmail": self.users_lookup_by_email,
            "chat.postMessage": self.chat_post_message,
            "chat.update": self.chat_update,
            "chat.postEphemeral": self.chat_post_ephemeral,
            "views.open": self.views_open,
            "views.update": self.views_update,
            "views.push": self.views_push,
            "conversations.members": self.conversations_members,
            "conversations.open": self.conversations_open,
        }

    # --- the API ---------------------------------------------------------------------------------------

    def call(
        self, method: str, arguments: dict[str, Any], *, bearer: str | None, http_verb: str
    ) -> tuple[int, Reply, dict[str, str]]:
        """Answer one Web API call and record it: (HTTP status, JSON body, extra headers)."""
        token = bearer or arguments.pop("token", None)
        arguments.pop("token", None)
        status, headers = 200, {}
        with self._lock:
            planned = self._planned.get(method)
            plan = planned.pop(0) if planned else None
        if plan is not None:
            status, headers = int(plan.get("status", 200)), dict(plan.get("headers", {}))
            reply: Reply = {"ok": False, "error": plan.get("error", "internal_error")}
        elif not token:
            reply = {"ok": False, "error": "not_authed"}
        elif token != self.token:
            reply = {"ok": False, "error": "invalid_auth"}
        elif method not in self._methods:
            reply = {"ok": False, "error": "unknown_method"}
        else:
            try:
                with self._lock:
                    reply = {"ok": True, **self._methods[method](arguments)}
            except SlackError as error:
                reply = {"ok": False, "error": error.error, **error.extra}
        self._record(method, arguments, http_verb, status, reply)
        return status, reply, headers

    def _record(self, method: str, arguments: dict[str, Any], verb: str, status: int, reply: Reply) -> None:
        with self._lock:
            self._calls.append(
                {
                    "seq": next(self._seq),
                    "time": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                    "method": method,
                    "http_verb": verb,
                    "args": arguments,
                    "status": status,
                    "ok": bool(reply.get("ok")),
                    "error": reply.get("error"),
                    "response": reply,
                }
            )

    def calls(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._calls)

    def clear_calls(self) -> None:
        with self._lock:
            self._calls.clear()

    def plan(self, failure: dict[str, Any]) -> None:
        method = str(failure["method"])
        with self._lock:
            self._planned.setdefault(method, []).extend([failure] * int(failure.get("count", 1)))

    # --- helpers ---------------------------------------------------------------------------------------

    def _next_ts(self) -> str:
        self._last_ts = max(round(time.time(), 6), round(self._last_ts + 0.000001, 6))
        return f"{self._last_ts:.6f}"

    def _user(self, user_id: str) -> dict[str, Any]:
        person = self.people.get(user_id)
        if person is None:
            raise SlackError("user_not_found")
        return {
            "id": user_id,
            "team_id": self.team_id,
            "name": person["name"],
            "real_name": person["real_name"],
            "deleted": False,
            "is_bot": False,
            "is_admin": False,
            "tz": "Europe/London",
            "profile": {
                "real_name": person["real_name"],
                "display_name": person["name"],
                "email": person["email"],
                "team": self.team_id,
            },
        }

    def _members(self) -> list[str]:
        return [*self.people, self.bot_user_id]

    def _resolve_channel(self, channel: str) -> str:
        """Channel id a message lands in: the app's DM for a user id, else the channel itself."""
        if not channel:
            raise SlackError("channel_not_found")
        if channel in self.people:
            return "D" + channel[1:]
        if channel == self.channel_id or (channel.startswith("D") and "U" + channel[1:] in self.people):
            return channel
        raise SlackError("channel_not_found")

    @staticmethod
    def _require(arguments: dict[str, Any], *names: str) -> None:
        if any(not arguments.get(name) for name in names):
            raise SlackError("invalid_arguments")

    # --- methods ---------------------------------------------------------------------------------------

    def auth_test(self, arguments: dict[str, Any]) -> Reply:
        return {
            "url": "https://local-workspace.slack.com/",
            "team": "local workspace",
            "user": "jit-access",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": "B0JITBOT",
            "is_enterprise_install": False,
        }

    def users_info(self, arguments: dict[str, Any]) -> Reply:
        return {"user": self._user(str(arguments.get("user", "")))}

    def users_lookup_by_email(self, arguments: dict[str, Any]) -> Reply:
        email = str(arguments.get("email", "")).strip().lower()
        for user_id, person in self.people.items():
            if person["email"].lower() == email:
                return {"user": self._user(user_id)}
        raise SlackError("users_not_found")

    def chat_post_message(self, arguments: dict[str, Any]) -> Reply:
        channel = self._resolve_channel(str(arguments.get("channel", "")))
        if not arguments.get("text") and not arguments.get("blocks") and not arguments.get("attachments"):
            raise SlackError("no_text")
        thread_ts = arguments.get("thread_ts")
        if thread_ts and thread_ts not in self._messages:
            raise SlackError("thread_not_found")
        ts = self._next_ts()
        message = {
            "type": "message",
            "user": self.bot_user_id,
            "ts": ts,
            "text": arguments.get("text", ""),
            "blocks": arguments.get("blocks", []),
            **({"thread_ts": thread_ts} if thread_ts else {}),
        }
        self._messages[ts] = {"channel": channel, **message}
        return {"channel": channel, "ts": ts, "message": message}

    def chat_update(self, arguments: dict[str, Any]) -> Reply:
        self._require(arguments, "channel", "ts")
        channel = self._resolve_channel(str(arguments["channel"]))
        stored = self._messages.get(str(arguments["ts"]))
        if stored is None or stored["channel"] != channel:
            raise SlackError("message_not_found")
        if not arguments.get("text") and not arguments.get("blocks"):
            raise SlackError("no_text")
        stored.update({k: arguments[k] for k in ("text", "blocks") if k in arguments})
        return {"channel": channel, "ts": stored["ts"], "text": stored["text"]}

    def chat_post_ephemeral(self, arguments: dict[str, Any]) -> Reply:
        self._require(arguments, "channel", "user")
        channel = self._resolve_channel(str(arguments["channel"]))
        user = str(arguments["user"])
        if user not in self.people:
            raise SlackError("user_not_found")
        if channel == self.channel_id and user not in self._members():
            raise SlackError("user_not_in_channel")
        if not arguments.get("text") and not arguments.get("blocks"):
            raise SlackError("no_text")
        return {"message_ts": self._next_ts()}

    def _store_view(self, view: Any, *, view_id: str | None = None, previous: str | None = None) -> Reply:
        if not isinstance(view, dict) or view.get("type") not in ("modal", "home"):
            raise SlackError("invalid_arguments")
        view_id = view_id or "V" + secrets.token_hex(5).upper()
        stored = {
            "id": view_id,
            "team_id": self.team_id,
            "state": {"values": {}},
            "hash": f"{time.time():.6f}.{secrets.token_hex(4)}",
            "previous_view_id": previous,
            "root_view_id": view_id,
            "app_id": "A0JITACCESS",
            "bot_id": "B0JITBOT",
            **view,
        }
        self._views[view_id] = stored
        return {"view": stored}

    def _take_trigger(self, arguments: dict[str, Any]) -> None:
        trigger = str(arguments.get("trigger_id") or "")
        if not trigger:
            raise SlackError("invalid_arguments")
        if trigger in self._used_triggers:
            raise SlackError("exchanged_trigger_id")
        self._used_triggers.add(trigger)

    def views_open(self, arguments: dict[str, Any]) -> Reply:
        self._take_trigger(arguments)
        return self._store_view(arguments.get("view"))

    def views_push(self, arguments: dict[str, Any]) -> Reply:
        self._take_trigger(arguments)
        return self._store_view(arguments.get("view"))

    def views_update(self, arguments: dict[str, Any]) -> Reply:
        view_id = arguments.get("view_id")
        if not view_id and arguments.get("external_id"):
            view_id = next(
                (i for i, v in self._views.items() if v.get("external_id") == arguments["external_id"]), None
            )
        if not view_id or view_id not in self._views:
            raise SlackError("not_found")
        return self._store_view(arguments.get("view"), view_id=str(view_id))

    def conversations_members(self, arguments: dict[str, Any]) -> Reply:
        if arguments.get("channel") != self.channel_id:
            raise SlackError("channel_not_found")
        try:
            cursor = str(arguments.get("cursor") or "")
            offset = int(base64.b64decode(cursor).decode().removeprefix("offset:")) if cursor else 0
        except ValueError as error:
            raise SlackError("invalid_cursor") from error
        members = self._members()
        limit = min(PAGE_SIZE, int(arguments.get("limit") or PAGE_SIZE))
        page = members[offset : offset + limit]
        following = offset + limit
        next_cursor = (
            base64.b64encode(f"offset:{following}".encode()).decode() if following < len(members) else ""
        )
        return {"members": page, "response_metadata": {"next_cursor": next_cursor}}

    def conversations_open(self, arguments: dict[str, Any]) -> Reply:
        users = [u for u in str(arguments.get("users") or "").split(",") if u]
        if arguments.get("channel"):
            return {"channel": {"id": self._resolve_channel(str(arguments["channel"]))}}
        if len(users) != 1:
            raise SlackError("invalid_arguments" if not users else "method_not_supported_for_channel_type")
        if users[0] not in self.people:
            raise SlackError("user_not_found")
        return {"channel": {"id": "D" + users[0][1:]}, "already_open": False, "no_op": False}


# --- HTTP ----------------------------------------------------------------------------------------------


def _decode_arguments(arguments: dict[str, Any]) -> dict[str, Any]:
    """Form-encoded calls carry blocks and views as JSON text; record them as the objects they are."""
    for name in _JSON_ARGUMENTS:
        value = arguments.get(name)
        if isinstance(value, str) and value[:1] in "[{":
            with contextlib.suppress(ValueError):
                arguments[name] = json.loads(value)
    return arguments


def handler_for(standin: SlackStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "jit-access-slack-standin/1"

        def log_message(self, format: str, *args: Any) -> None:
            sys.stdout.write(f"{self.address_string()} {format % args}\n")

        def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        def _body(self) -> tuple[bytes, str]:
            length = int(self.headers.get("Content-Length") or 0)
            return (self.rfile.read(length) if length else b""), (self.headers.get("Content-Type") or "")

        def _api(self, verb: str) -> None:
            url = urlsplit(self.path)
            method = url.path.removeprefix("/api/")
            arguments: dict[str, Any] = dict(parse_qsl(url.query, keep_blank_values=True))
            raw, content_type = self._body()
            if raw:
                if "json" in content_type:
                    try:
                        body = json.loads(raw)
                    except ValueError:
                        self._send(200, {"ok": False, "error": "invalid_json"})
                        return
                    if isinstance(body, dict):
                        arguments.update(body)
                else:
                    arguments.update(parse_qsl(raw.decode(), keep_blank_values=True))
            authorization = self.headers.get("Authorization") or ""
            bearer = (
                authorization.removeprefix("Bearer ").strip() if authorization.startswith("Bearer ") else None
            )
            status, reply, headers = standin.call(
                method, _decode_arguments(arguments), bearer=bearer, http_verb=verb
            )
            self._send(status, reply, headers)

        def do_GET(self) -> None:
            path = urlsplit(self.path).path
            if path.startswith("/api/"):
                self._api("GET")
            elif path == "/_calls":
                self._send(200, standin.calls())
            elif path == "/_health":
                self._send(200, {"ok": True, "calls": len(standin.calls())})
            else:
                self._send(404, {"ok": False, "error": "not_found"})

        def do_POST(self) -> None:
            path = urlsplit(self.path).path
            if path.startswith("/api/"):
                self._api("POST")
            elif path == "/_plan":
                raw, _ = self._body()
                try:
                    standin.plan(json.loads(raw))
                except (ValueError, KeyError, TypeError):
                    self._send(
                        400, {"ok": False, "error": "expected {method, error, status?, headers?, count?}"}
                    )
                    return
                self._send(200, {"ok": True})
            else:
                self._send(404, {"ok": False, "error": "not_found"})

        def do_DELETE(self) -> None:
            if urlsplit(self.path).path == "/_calls":
                standin.clear_calls()
                self._send(200, {"ok": True})
            else:
                self._send(404, {"ok": False, "error": "not_found"})

    return Handler


def make_server(standin: SlackStandIn, host: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((host, port), handler_for(standin))
    server.daemon_threads = True
    return server


def start_in_thread(standin: SlackStandIn) -> tuple[ThreadingHTTPServer, str]:
    """For tests: serve on a free port in a daemon thread; returns (server, base URL of the API)."""
    server = make_server(standin)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/api/"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jit_access.local.slack_standin", description=__doc__)
    parser.add_argument(
        "--config", type=Path, required=True, help="JSON {token, team_id, channel_id, people}"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--ready-file", type=Path)
    args = parser.parse_args(argv)
    config = json.loads(args.config.read_text())
    standin = SlackStandIn(
        token=config["token"],
        team_id=config["team_id"],
        channel_id=config["channel_id"],
        channel_name=config.get("channel_name", "aws-access"),
        people=config["people"],
    )
    server = make_server(standin, args.host, args.port)
    port = server.server_address[1]

    def shutdown(signum: int, frame: Any) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    base = f"http://{args.host}:{port}"
    if args.ready_file is not None:
        write_ready_file(args.ready_file, port=port, url=base, api_url=f"{base}/api/")
    print(f"Slack stand-in listening on {base}/api/", flush=True)
    server.serve_forever(poll_interval=0.2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
