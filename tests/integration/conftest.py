"""Fixtures for the edge adapters: moto for AWS, and a local recording stand-in for the Slack Web API.

slack_sdk talks HTTP with urllib, so request-mocking libraries built on `requests` do not see its calls;
a real HTTP server on 127.0.0.1 does, and exercises the client's real encoding, retries and errors.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import boto3
import pytest
from moto import mock_aws

REGION = "us-east-1"


@pytest.fixture(autouse=True)
def aws_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Dummy credentials and a fixed region; nothing from the developer's machine leaks in."""
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")


@pytest.fixture
def aws() -> Iterator[None]:
    with mock_aws():
        yield


@pytest.fixture
def s3(aws: None) -> Any:
    return boto3.client("s3", region_name=REGION)


@pytest.fixture
def bucket(s3: Any) -> str:
    """A versioned audit bucket, as the module makes it."""
    name = "jit-access-audit-test"
    s3.create_bucket(Bucket=name)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    return name


# --- Slack stand-in ----------------------------------------------------------------------------------------


@dataclass
class SlackCall:
    method: str
    http_verb: str
    params: dict[str, Any]
    headers: dict[str, str]


@dataclass
class SlackStub:
    """Records every call; answers from per-method queues of planned replies, else {"ok": true}."""

    base_url: str = ""
    calls: list[SlackCall] = field(default_factory=list)
    planned: dict[str, list[tuple[int, dict[str, Any], dict[str, str]]]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reply(
        self, method: str, body: dict[str, Any], *, status: int = 200, headers: dict[str, str] | None = None
    ):
        self.planned.setdefault(method, []).append((status, body, headers or {}))

    def next_reply(self, method: str) -> tuple[int, dict[str, Any], dict[str, str]]:
        with self.lock:
            queue = self.planned.get(method)
            return queue.pop(0) if queue else (200, {"ok": True}, {})

    def record(self, call: SlackCall) -> None:
        with self.lock:
            self.calls.append(call)

    def called(self, method: str) -> list[SlackCall]:
        return [c for c in self.calls if c.method == method]


def _handler_for(stub: SlackStub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # keep the test output quiet
            pass

        def _serve(self, verb: str) -> None:
            url = urlsplit(self.path)
            method = url.path.rsplit("/", 1)[-1]
            params: dict[str, Any] = dict(parse_qsl(url.query))
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            if raw and "json" in (self.headers.get("Content-Type") or ""):
                params.update(json.loads(raw))
            elif raw:
                params.update(parse_qsl(raw.decode()))
            stub.record(SlackCall(method, verb, params, {k.lower(): v for k, v in self.headers.items()}))
            status, body, headers = stub.next_reply(method)
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

    return Handler


@pytest.fixture
def slack_api() -> Iterator[SlackStub]:
    stub = SlackStub()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(stub))
    stub.base_url = f"http://127.0.0.1:{server.server_address[1]}/api/"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
