"""The local gateway: API Gateway, the SQS event source, EventBridge Scheduler and rules, for the local stack.

    python -m jit_access.local.gateway --config .jit-access-local/gateway.json --ready-file run/gateway.json

- `POST /slack/events`: the HTTP request becomes an API Gateway HTTP API event (payload format 2.0), the
  requester runs it, its `statusCode`/`headers`/`body` are the answer (500 when the handler fails, 503
  after API Gateway's 30 s, like API Gateway).
- `POST /_local/run` with `{"now": "<ISO 8601>"}` (optional; default the clock): repeat until nothing is
  left: drain the work queue into the requester in batches (records as Lambda's event source builds them;
  only the messages the function did not report in `batchItemFailures` are deleted), fire every schedule of
  the schedule group whose `at(...)` is due at `now` (then delete it, as `ActionAfterCompletion=DELETE`
  does; a failed one stays and fires again next run, as Scheduler retries), and fire each scheduled rule
  targeting a function once per its rate (the first run fires it). Answers what ran, errors included.
  A message whose batch failed comes back at the next run (the visibility timeout, compressed), so after
  the queue's maxReceiveCount runs it moves to the dead-letter queue.
- `GET /_local/health`.

The functions run from the zip Terraform deployed: the zip at the module's `package_path` is checked against
the function's CodeSha256 in the emulator (a mismatch stops the gateway: it would run other code than
deployed), extracted, and run by jit_access.local.worker with the function's configured environment.
Note: handlers read the real clock; `now` only decides what is due.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import logging
import re
import shutil
import signal
import sys
import threading
import time
import uuid
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

from jit_access.local.process import write_ready_file
from jit_access.local.worker import (
    FunctionSpec,
    FunctionWorker,
    Invocation,
    lambda_environment,
    lambda_provided_dir,
)

log = logging.getLogger("jit_access.local.gateway")

API_GATEWAY_TIMEOUT_SECONDS = 30.0
SLACK_ROUTE = "POST /slack/events"
MAX_PASSES = 50
_AT = re.compile(r"^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$")
_RATE = re.compile(r"^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$")
_TEXT_TYPES = ("text/", "application/json", "application/xml", "application/javascript")

Invoker = Callable[[str, Any], Invocation]


class CodeMismatch(RuntimeError):
    """The zip on disk is not the code the emulator says is deployed."""


# --- API Gateway ---------------------------------------------------------------------------------------


def apigw_event(
    *,
    method: str,
    path: str,
    query: str,
    headers: Iterable[tuple[str, str]],
    body: bytes,
    source_ip: str,
    route_key: str,
    api_id: str = "local",
    account_id: str = "123456789012",
    now: datetime | None = None,
) -> dict[str, Any]:
    """An API Gateway HTTP API event, payload format 2.0, as the Lambda integration receives it."""
    now = now or datetime.now(UTC)
    merged: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in headers:
        key = name.lower()
        if key == "cookie":
            cookies.extend(c.strip() for c in value.split(";") if c.strip())
            continue
        merged[key] = f"{merged[key]},{value}" if key in merged else value
    domain = f"{api_id}.execute-api.local"
    merged.setdefault("host", domain)
    merged.setdefault("x-forwarded-for", source_ip)
    merged.setdefault("x-forwarded-proto", "http")
    merged["x-amzn-trace-id"] = f"Root=1-{int(now.timestamp()):08x}-{uuid.uuid4().hex[:24]}"
    content_type = merged.get("content-type", "")
    is_text = content_type.startswith(_TEXT_TYPES)
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": path,
        "rawQueryString": query,
        "headers": merged,
        "requestContext": {
            "accountId": account_id,
            "apiId": api_id,
            "domainName": domain,
            "domainPrefix": api_id,
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": merged.get("user-agent", ""),
            },
            "requestId": base64.b64encode(uuid.uuid4().bytes[:10]).decode().rstrip("="),
            "routeKey": route_key,
            "stage": "$default",
            "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(now.timestamp() * 1000),
        },
        "isBase64Encoded": bool(body) and not is_text,
    }
    if cookies:
        event["cookies"] = cookies
    if query:
        params: dict[str, str] = {}
        for key, value in parse_qsl(query, keep_blank_values=True):
            params[key] = f"{params[key]},{value}" if key in params else value
        event["queryStringParameters"] = params
    if body:
        event["body"] = body.decode("utf-8", errors="replace") if is_text else base64.b64encode(body).decode()
    return event


def apigw_response(result: Any) -> tuple[int, dict[str, str], bytes]:
    """The HTTP answer API Gateway makes of a payload-2.0 Lambda result."""
    if isinstance(result, dict) and "statusCode" in result:
        body = result.get("body") or ""
        raw = base64.b64decode(body) if result.get("isBase64Encoded") else str(body).encode()
        headers = {str(k): str(v) for k, v in (result.get("headers") or {}).items()}
        for name, values in (result.get("multiValueHeaders") or {}).items():
            headers[str(name)] = ",".join(str(v) for v in values)
        return int(result["statusCode"]), headers, raw
    # Without statusCode, API Gateway takes the result itself as a JSON body with status 200.
    if isinstance(result, str):
        return 200, {"content-type": "application/json"}, result.encode()
    return 200, {"content-type": "application/json"}, json.dumps(result).encode()


# --- the SQS event source ------------------------------------------------------------------------------


def sqs_record(message: dict[str, Any], *, queue_arn: str, region: str) -> dict[str, Any]:
    """One record of an SQS event, as Lambda's event source mapping builds it from ReceiveMessage."""
    system = message.get("Attributes", {})
    attributes = {
        name: system[name]
        for name in (
            "ApproximateReceiveCount",
            "SentTimestamp",
            "SenderId",
            "ApproximateFirstReceiveTimestamp",
            "SequenceNumber",
            "MessageGroupId",
            "MessageDeduplicationId",
            "AWSTraceHeader",
            "DeadLetterQueueSourceArn",
        )
        if name in system
    }
    message_attributes = {
        name: {
            "stringValue": value.get("StringValue"),
            "binaryValue": base64.b64encode(value["BinaryValue"]).decode()
            if "BinaryValue" in value
            else None,
            "stringListValues": value.get("StringListValues", []),
            "binaryListValues": value.get("BinaryListValues", []),
            "dataType": value.get("DataType"),
        }
        for name, value in message.get("MessageAttributes", {}).items()
    }
    record: dict[str, Any] = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message.get("Body", ""),
        "attributes": attributes,
        "messageAttributes": message_attributes,
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }
    if "MD5OfMessageAttributes" in message:
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    return record


def parse_at(expression: str, timezone: str | None) -> datetime | None:
    """The UTC time of a one-time schedule's `at(...)`; None for rate/cron expressions."""
    match = _AT.match(expression.strip())
    if not match:
        return None
    local = datetime.fromisoformat(match.group(1)).replace(tzinfo=ZoneInfo(timezone or "UTC"))
    return local.astimezone(UTC)


def rate_interval(expression: str) -> timedelta | None:
    match = _RATE.match(expression.strip())
    if not match:
        return None
    count, unit = int(match.group(1)), match.group(2).rstrip("s")
    return timedelta(**{f"{unit}s": count})


def parse_now(value: str | None) -> datetime:
    if not value:
        return datetime.now(UTC)
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError("`now` needs a time zone, e.g. 2026-12-04T10:00:00Z")
    return parsed.astimezone(UTC)


@dataclass
class RunReport:
    now: datetime
    invocations: list[dict[str, Any]] = field(default_factory=list)
    passes: int = 0
    delivered: int = 0
    deleted: int = 0
    failed: list[str] = field(default_factory=list)
    schedules_fired: list[str] = field(default_factory=list)
    rules_fired: list[str] = field(default_factory=list)
    schedules_failed: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        errors = sum(1 for i in self.invocations if not i["ok"])
        return {
            "ok": errors == 0 and not self.failed,
            "now": self.now.isoformat().replace("+00:00", "Z"),
            "passes": self.passes,
            "errors": errors,
            "queue": {"delivered": self.delivered, "deleted": self.deleted, "failed": self.failed},
            "schedules_fired": self.schedules_fired,
            "rules_fired": self.rules_fired,
            "invocations": self.invocations,
            "notes": self.notes,
        }


class Pump:
    """Does, on request, what the Lambda event source, EventBridge Scheduler and rules would do in time."""

    def __init__(
        self,
        *,
        sqs: Any,
        scheduler: Any,
        events: Any,
        invoke: Invoker,
        functions_by_arn: dict[str, str],
        queue_url: str,
        queue_function: str,
        schedule_group: str,
        region: str,
        batch_size: int = 10,
    ):
        self._sqs = sqs
        self._scheduler = scheduler
        self._events = events
        self._invoke = invoke
        self._functions_by_arn = functions_by_arn
        self._queue_url = queue_url
        self._queue_function = queue_function
        self._schedule_group = schedule_group
        self._region = region
        self._batch_size = batch_size
        self._queue_arn: str | None = None
        self._rule_fired_at: dict[str, datetime] = {}
        self._fired_once: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    def run(self, now: datetime) -> RunReport:
        with self._lock:
            report = RunReport(now=now)
            held: list[str] = []  # receipt handles of failed messages: visible again after this run
            try:
                while report.passes < MAX_PASSES:
                    report.passes += 1
                    worked = self._drain_queue(report, held)
                    worked = self._fire_schedules(now, report) or worked
                    if report.passes == 1:
                        worked = self._fire_rules(now, report) or worked
                    if not worked:
                        break
                else:
                    report.notes.append(f"stopped after {MAX_PASSES} passes: work keeps coming")
            finally:
                for handle in held:
                    self._sqs.change_message_visibility(
                        QueueUrl=self._queue_url, ReceiptHandle=handle, VisibilityTimeout=0
                    )
            return report

    # --- queue -----------------------------------------------------------------------------------------

    def _queue_arn_value(self) -> str:
        if self._queue_arn is None:
            attributes = self._sqs.get_queue_attributes(QueueUrl=self._queue_url, AttributeNames=["QueueArn"])
            self._queue_arn = str(attributes["Attributes"]["QueueArn"])
        return self._queue_arn

    def _drain_queue(self, report: RunReport, held: list[str]) -> bool:
        worked = False
        while True:
            received = self._sqs.receive_message(
                QueueUrl=self._queue_url,
                MaxNumberOfMessages=self._batch_size,
                AttributeNames=["All"],
                MessageSystemAttributeNames=["All"],
                MessageAttributeNames=["All"],
                WaitTimeSeconds=0,
            ).get("Messages", [])
            if not received:
                return worked
            worked = True
            report.delivered += len(received)
            event = {
                "Records": [
                    sqs_record(m, queue_arn=self._queue_arn_value(), region=self._region) for m in received
                ]
            }
            invocation = self._invoke(self._queue_function, event)
            handles = {m["MessageId"]: m["ReceiptHandle"] for m in received}
            failed_ids = self._failed_ids(invocation, list(handles))
            entry = invocation.to_json() | {
                "kind": "sqs",
                "source": self._queue_url,
                "messages": list(handles),
                "failed_messages": sorted(failed_ids),
            }
            report.invocations.append(entry)
            done = [(i, h) for i, h in handles.items() if i not in failed_ids]
            for start in range(0, len(done), 10):
                chunk = done[start : start + 10]
                self._sqs.delete_message_batch(
                    QueueUrl=self._queue_url,
                    Entries=[{"Id": str(n), "ReceiptHandle": h} for n, (_, h) in enumerate(chunk)],
                )
            report.deleted += len(done)
            report.failed.extend(sorted(failed_ids))
            held.extend(handles[i] for i in failed_ids)

    @staticmethod
    def _failed_ids(invocation: Invocation, message_ids: list[str]) -> set[str]:
        """Which messages must stay: all of them when the function failed or answered nonsense."""
        if not invocation.ok:
            return set(message_ids)
        result = invocation.result
        if not isinstance(result, dict) or "batchItemFailures" not in result:
            return set()
        failures = result["batchItemFailures"]
        if not isinstance(failures, list):
            return set(message_ids)
        ids: set[str] = set()
        for failure in failures:
            identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
            if identifier not in message_ids:
                # Lambda treats an empty or unknown identifier as a failure of the whole batch.
                return set(message_ids)
            ids.add(identifier)
        return ids

    # --- schedules -------------------------------------------------------------------------------------

    def _schedules(self) -> list[dict[str, Any]]:
        names: list[str] = []
        paginator = self._scheduler.get_paginator("list_schedules")
        for page in paginator.paginate(GroupName=self._schedule_group):
            names.extend(s["Name"] for s in page.get("Schedules", []))
        return [self._scheduler.get_schedule(Name=n, GroupName=self._schedule_group) for n in names]

    def _fire_schedules(self, now: datetime, report: RunReport) -> bool:
        worked = False
        for schedule in sorted(self._schedules(), key=lambda s: s.get("ScheduleExpression", "")):
            name = schedule["Name"]
            expression = schedule.get("ScheduleExpression", "")
            when = parse_at(expression, schedule.get("ScheduleExpressionTimezone"))
            if when is None:
                note = f"schedule {name}: {expression} is not a one-time at(...) expression; not fired"
                if note not in report.notes:
                    report.notes.append(note)
                continue
            if schedule.get("State", "ENABLED") != "ENABLED" or when > now:
                continue
            if (name, expression) in self._fired_once or name in report.schedules_failed:
                continue
            target = schedule.get("Target", {})
            function = self._functions_by_arn.get(_unqualified(target.get("Arn", "")))
            if function is None:
                report.notes.append(f"schedule {name}: target {target.get('Arn')} is not a local function")
                continue
            worked = True
            invocation = self._invoke(function, json.loads(target.get("Input") or "{}"))
            report.invocations.append(
                invocation.to_json() | {"kind": "schedule", "source": name, "due": when.isoformat()}
            )
            report.schedules_fired.append(name)
            if not invocation.ok:
                # Scheduler retries a failed invocation later: here, at the next run.
                report.schedules_failed.add(name)
                continue
            if schedule.get("ActionAfterCompletion") == "DELETE":
                self._scheduler.delete_schedule(Name=name, GroupName=self._schedule_group)
            else:
                self._fired_once.add((name, expression))
        return worked

    # --- rules -----------------------------------------------------------------------------------------

    def _scheduled_rules(self) -> list[dict[str, Any]]:
        rules: list[dict[str, Any]] = []
        token = None
        while True:
            page = self._events.list_rules(**({"NextToken": token} if token else {}))
            rules.extend(r for r in page.get("Rules", []) if r.get("ScheduleExpression"))
            token = page.get("NextToken")
            if not token:
                return rules

    def _fire_rules(self, now: datetime, report: RunReport) -> bool:
        worked = False
        for rule in self._scheduled_rules():
            name = rule["Name"]
            if rule.get("State", "ENABLED") != "ENABLED":
                continue
            last = self._rule_fired_at.get(name)
            interval = rate_interval(rule["ScheduleExpression"])
            if last is not None and (interval is None or now - last < interval):
                continue
            targets = self._events.list_targets_by_rule(Rule=name).get("Targets", [])
            for target in targets:
                function = self._functions_by_arn.get(_unqualified(target.get("Arn", "")))
                if function is None:
                    continue
                if target.get("Input"):
                    event = json.loads(target["Input"])
                else:
                    event = _scheduled_event(rule, now, self._region)
                worked = True
                invocation = self._invoke(function, event)
                report.invocations.append(invocation.to_json() | {"kind": "rule", "source": name})
                report.rules_fired.append(name)
            self._rule_fired_at[name] = now
        return worked


def _unqualified(arn: str) -> str:
    """A function ARN without a version or alias qualifier."""
    parts = arn.split(":")
    return ":".join(parts[:7]) if len(parts) > 7 and parts[5] == "function" else arn


def _scheduled_event(rule: dict[str, Any], now: datetime, region: str) -> dict[str, Any]:
    arn = rule.get("Arn", "")
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": arn.split(":")[4] if arn.count(":") >= 5 else "123456789012",
        "time": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [arn],
        "detail": {},
    }


# --- the deployed functions ----------------------------------------------------------------------------


def code_sha256(path: Path) -> str:
    """Lambda's CodeSha256 of a zip: base64 of the SHA-256 of its bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return base64.b64encode(digest.digest()).decode()


def load_function(lambda_client: Any, name: str, *, package_path: Path, functions_dir: Path) -> FunctionSpec:
    """The deployed function, its code extracted from the zip after checking it is the deployed one."""
    deployed = lambda_client.get_function(FunctionName=name)["Configuration"]
    configuration = lambda_client.get_function_configuration(FunctionName=name)
    if not package_path.is_file():
        raise CodeMismatch(f"{name}: the deployment zip {package_path} does not exist")
    local = code_sha256(package_path)
    if local != deployed.get("CodeSha256"):
        raise CodeMismatch(
            f"{name}: refusing to run {package_path}: its SHA-256 is {local} but the deployed code's is "
            f"{deployed.get('CodeSha256')}; re-run `jit-access local up`, or apply the example again"
        )
    target = functions_dir / name
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    with zipfile.ZipFile(package_path) as archive:
        archive.extractall(target)
    runtime = configuration.get("Runtime", "")
    local_runtime = f"python{sys.version_info.major}.{sys.version_info.minor}"
    if runtime and runtime != local_runtime:
        log.warning(
            "%s is deployed for %s but runs here on %s: binary wheels may not load",
            name,
            runtime,
            local_runtime,
        )
    return FunctionSpec(
        name=name,
        arn=configuration["FunctionArn"],
        handler=configuration["Handler"],
        code_dir=target,
        environment=dict((configuration.get("Environment") or {}).get("Variables") or {}),
        timeout=int(configuration.get("Timeout") or 3),
        memory_size=int(configuration.get("MemorySize") or 128),
        runtime=runtime,
    )


class LocalFunctions:
    """The deployed functions, each with one warm worker started on first use."""

    def __init__(
        self, specs: list[FunctionSpec], *, region: str, endpoint_url: str, runtime_dir: Path, log_dir: Path
    ):
        self.specs = {s.name: s for s in specs}
        self.workers = {
            s.name: FunctionWorker(
                s,
                environment=lambda_environment(s, region=region, endpoint_url=endpoint_url),
                runtime_dirs=[runtime_dir],
                log_path=log_dir / f"function-{s.name}.log",
            )
            for s in specs
        }

    def invoke(self, name: str, event: Any, *, timeout: float | None = None) -> Invocation:
        return self.workers[name].invoke(event, timeout=timeout)

    def by_arn(self) -> dict[str, str]:
        return {s.arn: s.name for s in self.specs.values()}

    def stop(self) -> None:
        for worker in self.workers.values():
            worker.stop(grace=2.0)


# --- HTTP ----------------------------------------------------------------------------------------------


@dataclass
class Gateway:
    functions: LocalFunctions
    pump: Pump
    requester: str
    api_id: str = "local"
    account_id: str = "123456789012"
    started: float = field(default_factory=time.time)

    def slack_event(self, handler: BaseHTTPRequestHandler, body: bytes) -> tuple[int, dict[str, str], bytes]:
        url = urlsplit(handler.path)
        event = apigw_event(
            method="POST",
            path=url.path,
            query=url.query,
            headers=handler.headers.items(),
            body=body,
            source_ip=handler.client_address[0],
            route_key=SLACK_ROUTE,
            api_id=self.api_id,
            account_id=self.account_id,
        )
        timeout = min(API_GATEWAY_TIMEOUT_SECONDS, float(self.functions.specs[self.requester].timeout))
        invocation = self.functions.invoke(self.requester, event, timeout=timeout)
        if invocation.ok:
            return apigw_response(invocation.result)
        error = invocation.error or {}
        log.error(
            "requester failed on %s: %s: %s", url.path, error.get("errorType"), error.get("errorMessage")
        )
        if error.get("errorType") == "Sandbox.Timedout":
            return 503, {"content-type": "application/json"}, b'{"message":"Service Unavailable"}'
        return 500, {"content-type": "application/json"}, b'{"message":"Internal Server Error"}'

    def health(self) -> dict[str, Any]:
        return {
            "ok": True,
            "uptime_seconds": round(time.time() - self.started, 1),
            "functions": {
                name: {"warm": worker.warm, "pid": worker.pid}
                for name, worker in self.functions.workers.items()
            },
        }


def handler_for(gateway: Gateway) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "jit-access-local-gateway/1"

        def log_message(self, format: str, *args: Any) -> None:
            log.info("%s %s", self.address_string(), format % args)

        def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
            self.send_response(status)
            for name, value in headers.items():
                if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _json(self, status: int, value: Any) -> None:
            self._send(status, {"content-type": "application/json"}, json.dumps(value).encode())

        def _body(self) -> bytes:
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def do_GET(self) -> None:
            if urlsplit(self.path).path == "/_local/health":
                self._json(200, gateway.health())
            else:
                self._json(404, {"message": "Not Found"})

        def do_POST(self) -> None:
            path = urlsplit(self.path).path
            body = self._body()
            if path == "/slack/events":
                self._send(*gateway.slack_event(self, body))
            elif path == "/_local/run":
                try:
                    request = json.loads(body or b"{}")
                    now = parse_now(request.get("now") if isinstance(request, dict) else None)
                except ValueError as error:
                    self._json(400, {"ok": False, "error": f"bad request: {error}"})
                    return
                try:
                    report = gateway.pump.run(now)
                except Exception as error:
                    log.exception("run failed")
                    self._json(500, {"ok": False, "error": f"{type(error).__name__}: {error}"})
                    return
                self._json(200, report.to_json())
            else:
                self._json(404, {"message": "Not Found"})

    return Handler


def build(config: dict[str, Any], state_dir: Path) -> Gateway:
    """The gateway of a stack, from the gateway config `jit-access local up` writes."""
    import boto3

    endpoint, region = config["aws_endpoint_url"], config["region"]
    session = boto3.session.Session(
        aws_access_key_id="test", aws_secret_access_key="test", region_name=region
    )

    def client(name: str) -> Any:
        return session.client(name, endpoint_url=endpoint)  # type: ignore[call-overload]

    lambda_client = client("lambda")
    package_path = Path(config["package_path"])
    functions_dir = state_dir / "functions"
    specs = [
        load_function(lambda_client, name, package_path=package_path, functions_dir=functions_dir)
        for name in (config["functions"]["requester"], config["functions"]["revoker"])
    ]
    functions = LocalFunctions(
        specs,
        region=region,
        endpoint_url=endpoint,
        runtime_dir=lambda_provided_dir(state_dir / "lambda-runtime"),
        log_dir=state_dir / "logs",
    )
    pump = Pump(
        sqs=client("sqs"),
        scheduler=client("scheduler"),
        events=client("events"),
        invoke=functions.invoke,
        functions_by_arn=functions.by_arn(),
        queue_url=config["queue_url"],
        queue_function=config["functions"]["requester"],
        schedule_group=config["schedule_group"],
        region=region,
    )
    return Gateway(
        functions=functions,
        pump=pump,
        requester=config["functions"]["requester"],
        api_id=config.get("api_id") or "local",
        account_id=config.get("account_id") or "123456789012",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jit_access.local.gateway", description=__doc__)
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--ready-file", type=Path)
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stdout
    )
    config = json.loads(args.config.read_text())
    try:
        gateway = build(config, args.config.resolve().parent)
    except CodeMismatch as error:
        log.error("%s", error)
        return 2
    server = ThreadingHTTPServer((args.host, args.port), handler_for(gateway))
    server.daemon_threads = True
    port = server.server_address[1]

    def shutdown(signum: int, frame: Any) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    base = f"http://{args.host}:{port}"
    if args.ready_file is not None:
        write_ready_file(
            args.ready_file,
            port=port,
            url=base,
            events_url=f"{base}/slack/events",
            run_url=f"{base}/_local/run",
            health_url=f"{base}/_local/health",
        )
    log.info("gateway listening on %s (functions: %s)", base, ", ".join(gateway.functions.specs))
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        gateway.functions.stop()
        log.info("gateway stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
