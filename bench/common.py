"""What every part of `make bench` shares: an embedded moto server, a Slack Web API stub, the deployment's
environment, seeding at a given size, AWS call counting and the result rows.

Everything runs on 127.0.0.1; nothing reaches AWS or Slack.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import statistics
import sys
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
LAMBDA = ROOT / "lambda"
EVENTS = ROOT / "tests" / "events"
sys.path.insert(0, str(LAMBDA))

import boto3  # noqa: E402
from slack_sdk.signature import SignatureVerifier  # noqa: E402

REGION = "us-east-1"
TEAM_ID = "T0LOCAL01"  # as in tests/events
CHANNEL_ID = "CAPPROVALS"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
CONFIG_BUCKET = "bench-config"
AUDIT_BUCKET = "bench-audit"
CONFIG_KEY = "config/config.json"
TOKEN_PARAMETER = "/bench/slack/bot-token"
SECRET_PARAMETER = "/bench/slack/signing-secret"
SCHEDULE_GROUP = "bench"
REQUESTER_EMAIL = "alice@example.com"


# --- result rows -------------------------------------------------------------------------------------------


@dataclass
class Figure:
    name: str
    value: float | str  # "n/a" for what does not exist yet
    unit: str
    target: str  # e.g. "< 0.5"; "" when there is none
    ok: bool
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def judged(name: str, value: float, unit: str, op: str, limit: float, note: str = "") -> Figure:
    ok = value < limit if op == "<" else value <= limit
    return Figure(name, round(value, 4), unit, f"{op} {limit:g}", ok, note)


def missing(name: str, unit: str, target: str, note: str) -> Figure:
    return Figure(name, "n/a", unit, target, False, note)


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def median(samples: list[float]) -> float:
    return statistics.median(samples)


# --- the Slack Web API stub --------------------------------------------------------------------------------


class SlackStub:
    """Answers every Web API method ok; users.info gives the requester's email. Counts calls by method."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                method = self.path.rsplit("/", 1)[-1].split("?")[0]
                stub.calls[method] += 1
                body: dict[str, Any] = {"ok": True}
                if method == "users.info":
                    body["user"] = {"id": "UALICE", "profile": {"email": REQUESTER_EMAIL}}
                elif method == "users.lookupByEmail":
                    body["user"] = {"id": "UBOB"}
                elif method == "chat.postMessage":
                    body.update(channel=CHANNEL_ID, ts="1796378402.000200")
                payload = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}/api/"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> SlackStub:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


# --- moto --------------------------------------------------------------------------------------------------


@contextmanager
def moto_server() -> Iterator[str]:
    """An in-process moto server on 127.0.0.1 (a free port); yields its endpoint URL."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def reset_moto(endpoint: str) -> None:
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")).read()


def aws_environ(endpoint: str) -> dict[str, str]:
    """Credentials and endpoint for boto3: every client the code builds talks to the moto server."""
    return {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "AWS_EC2_METADATA_DISABLED": "true",
    }


def use_environ(values: dict[str, str]) -> None:
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        os.environ.pop(name, None)
    os.environ.update(values)


def client(endpoint: str, name: str) -> Any:
    return boto3.client(name, endpoint_url=endpoint, region_name=REGION)


@dataclass
class Deployment:
    """What the seeding made: what Terraform and the operator would have made, at a given size."""

    endpoint: str
    instance_arn: str
    identity_store_id: str
    queue_url: str
    user_id: str
    accounts: list[str] = field(default_factory=list)
    permission_sets: dict[str, str] = field(default_factory=dict)  # name → ARN

    def environ(self, *, requester: bool) -> dict[str, str]:
        """The Lambda environment, per docs/architecture.md."""
        env = {
            **aws_environ(self.endpoint),
            "JIT_ACCESS_CONFIG_BUCKET": CONFIG_BUCKET,
            "JIT_ACCESS_CONFIG_KEY": CONFIG_KEY,
            "JIT_ACCESS_AUDIT_BUCKET": AUDIT_BUCKET,
            "JIT_ACCESS_SCHEDULE_GROUP": SCHEDULE_GROUP,
            "JIT_ACCESS_SSO_INSTANCE_ARN": self.instance_arn,
            "JIT_ACCESS_IDENTITY_STORE_ID": self.identity_store_id,
            "JIT_ACCESS_SLACK_BOT_TOKEN_PARAMETER": TOKEN_PARAMETER,
            "JIT_ACCESS_LOG_LEVEL": "WARNING",
        }
        if requester:
            env.update(
                {
                    "JIT_ACCESS_QUEUE_URL": self.queue_url,
                    "JIT_ACCESS_SCHEDULER_ROLE_ARN": "arn:aws:iam::123456789012:role/bench-scheduler",
                    "JIT_ACCESS_REVOKER_ARN": "arn:aws:lambda:us-east-1:123456789012:function:bench-revoker",
                    "JIT_ACCESS_SLACK_SIGNING_SECRET_PARAMETER": SECRET_PARAMETER,
                }
            )
        return env


def config_object(
    *, slack_api_url: str, account_names: dict[str, str], accounts: list[str], reconcile_mode: str = "warn"
) -> dict[str, Any]:
    return {
        "schema_version": 1,
        "slack": {"team_id": TEAM_ID, "channel_id": CHANNEL_ID, "api_url": slack_api_url},
        "default_max_duration": "8h",
        "duration_choices": ["30m", "1h", "2h", "4h", "8h"],
        "reconcile_mode": reconcile_mode,
        "account_names": account_names,
        "rules": [
            {
                "id": "bench",
                "accounts": accounts,
                "permission_sets": ["*"],
                "approvers": ["bob@example.com"],
                "max_duration": "8h",
            }
        ],
    }


def seed(
    endpoint: str,
    *,
    slack_api_url: str,
    accounts: int,
    permission_sets: int,
    organization: bool = True,
    configured_names: bool = True,
) -> Deployment:
    """Buckets, the config object, the SSM parameters, the queue, Identity Center (instance, the requester,
    `permission_sets` permission sets) and `accounts` accounts (in Organizations when `organization`)."""
    s3 = client(endpoint, "s3")
    for bucket in (CONFIG_BUCKET, AUDIT_BUCKET):
        s3.create_bucket(Bucket=bucket)
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    ssm = client(endpoint, "ssm")
    ssm.put_parameter(Name=TOKEN_PARAMETER, Value="xoxb-bench", Type="SecureString")
    ssm.put_parameter(Name=SECRET_PARAMETER, Value=SIGNING_SECRET, Type="SecureString")
    queue_url = client(endpoint, "sqs").create_queue(
        QueueName="bench-requests.fifo",
        Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "false"},
    )["QueueUrl"]

    account_ids: list[str] = []
    if organization:
        org = client(endpoint, "organizations")
        org.create_organization(FeatureSet="ALL")
        for n in range(accounts):
            status = org.create_account(Email=f"aws+{n}@example.com", AccountName=f"account-{n:04d}")
            account_ids.append(status["CreateAccountStatus"]["AccountId"])
    else:
        account_ids = [f"{100_000_000_000 + n:012d}" for n in range(accounts)]

    sso = client(endpoint, "sso-admin")
    instance = sso.list_instances()["Instances"][0]
    instance_arn, store_id = instance["InstanceArn"], instance["IdentityStoreId"]
    sets = {}
    for n in range(permission_sets):
        name = f"PermissionSet{n:03d}"
        sets[name] = sso.create_permission_set(InstanceArn=instance_arn, Name=name)["PermissionSet"][
            "PermissionSetArn"
        ]
    user_id = client(endpoint, "identitystore").create_user(
        IdentityStoreId=store_id,
        UserName=REQUESTER_EMAIL,
        DisplayName="Alice Archer",
        Name={"GivenName": "Alice", "FamilyName": "Archer"},
        Emails=[{"Value": REQUESTER_EMAIL, "Type": "work", "Primary": True}],
    )["UserId"]

    names = {a: f"account-{i:04d}" for i, a in enumerate(account_ids)} if configured_names else {}
    config = config_object(slack_api_url=slack_api_url, account_names=names, accounts=["*"])
    s3.put_object(Bucket=CONFIG_BUCKET, Key=CONFIG_KEY, Body=json.dumps(config).encode())
    return Deployment(endpoint, instance_arn, store_id, queue_url, user_id, account_ids, sets)


# --- AWS call counting -------------------------------------------------------------------------------------


class CallCounter:
    """Counts AWS API calls (by service.operation) of every client made from the default boto3 session
    after `install()`, through botocore's `before-call` event."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self._lock = threading.Lock()

    def _before_call(self, model: Any, **kwargs: Any) -> None:
        with self._lock:
            self.calls[f"{model.service_model.service_name}.{model.name}"] += 1

    def install(self) -> CallCounter:
        boto3.setup_default_session()
        assert boto3.DEFAULT_SESSION is not None
        boto3.DEFAULT_SESSION.events.register("before-call", self._before_call)
        return self

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()

    @property
    def total(self) -> int:
        return sum(self.calls.values())


# --- Slack requests, signed --------------------------------------------------------------------------------


def slack_payload(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / name).read_text())


def signed_event(payload: dict[str, Any], *, secret: str = SIGNING_SECRET) -> dict[str, Any]:
    """An API Gateway v2 event carrying the Slack payload, signed as Slack signs (tests/events shapes)."""
    body = urlencode({"payload": json.dumps(payload)})
    timestamp = str(int(time.time()))
    event = json.loads((EVENTS / "apigw_v2_post.json").read_text())
    event["body"] = base64.b64encode(body.encode()).decode()
    event["headers"]["x-slack-request-timestamp"] = timestamp
    event["headers"]["x-slack-signature"] = SignatureVerifier(secret).generate_signature(
        timestamp=timestamp, body=body
    )
    return event


def submission_payload(account: str, permission_set: str, view_id: str) -> dict[str, Any]:
    payload = slack_payload("slack_view_submission.json")
    payload["view"]["id"] = view_id
    values = payload["view"]["state"]["values"]
    values["account"]["account"]["selected_option"]["value"] = account
    values["permission_set"]["permission_set"]["selected_option"]["value"] = permission_set
    return payload


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def utc_now() -> datetime:
    return datetime.now(UTC)


def hours(n: float) -> timedelta:
    return timedelta(hours=n)
