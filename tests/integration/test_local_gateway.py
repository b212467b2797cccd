"""The local gateway: API Gateway events, the SQS event source, schedules and rules, on moto in-process."""

from __future__ import annotations

import base64
import json
import textwrap
import threading
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import boto3
import pytest

from jit_access.handlers.payloads import HttpRequest, SqsEvent
from jit_access.local.aws import queue_event_sources_off
from jit_access.local.gateway import (
    Gateway,
    LocalFunctions,
    Pump,
    apigw_event,
    apigw_response,
    code_sha256,
    parse_at,
    rate_interval,
)
from jit_access.local.worker import FunctionSpec, Invocation

REGION = "us-east-1"
REQUESTER = "access-requester"
REVOKER = "access-revoker"
REQUESTER_ARN = f"arn:aws:lambda:{REGION}:123456789012:function:{REQUESTER}"
REVOKER_ARN = f"arn:aws:lambda:{REGION}:123456789012:function:{REVOKER}"
GROUP = "jit-access-revoke"
NOW = datetime(2026, 12, 4, 10, 0, 0, tzinfo=UTC)


# --- API Gateway -----------------------------------------------------------------------------------------


def test_a_form_post_becomes_a_payload_2_event_with_a_base64_body() -> None:
    body = urlencode({"payload": json.dumps({"type": "shortcut"})}).encode()

    event = apigw_event(
        method="POST",
        path="/slack/events",
        query="",
        headers=[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("X-Slack-Signature", "v0=abc"),
            ("X-Slack-Request-Timestamp", "1796378400"),
            ("Accept", "a"),
            ("Accept", "b"),
        ],
        body=body,
        source_ip="127.0.0.1",
        route_key="POST /slack/events",
        api_id="abc123",
        now=NOW,
    )

    assert event["version"] == "2.0"
    assert event["routeKey"] == "POST /slack/events"
    assert event["rawPath"] == "/slack/events"
    assert event["headers"]["x-slack-signature"] == "v0=abc"
    assert event["headers"]["accept"] == "a,b"
    assert all(name == name.lower() for name in event["headers"])
    context = event["requestContext"]
    assert context["http"] == {
        "method": "POST",
        "path": "/slack/events",
        "protocol": "HTTP/1.1",
        "sourceIp": "127.0.0.1",
        "userAgent": "",
    }
    assert context["requestId"] and context["apiId"] == "abc123" and context["stage"] == "$default"
    assert context["timeEpoch"] == int(NOW.timestamp() * 1000)
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == body
    parsed = HttpRequest.model_validate(event)  # the requester's own model reads it back
    assert parsed.raw_body == body.decode()
    assert parsed.header("X-Slack-Request-Timestamp") == "1796378400"


def test_a_json_body_is_passed_as_text() -> None:
    event = apigw_event(
        method="POST",
        path="/slack/events",
        query="a=1&a=2",
        headers=[("Content-Type", "application/json")],
        body=b'{"type":"url_verification"}',
        source_ip="127.0.0.1",
        route_key="POST /slack/events",
    )

    assert event["isBase64Encoded"] is False
    assert event["body"] == '{"type":"url_verification"}'
    assert event["queryStringParameters"] == {"a": "1,2"}


def test_handler_results_become_http_answers_as_api_gateway_makes_them() -> None:
    assert apigw_response({"statusCode": 401, "headers": {"content-type": "text/plain"}, "body": "no"}) == (
        401,
        {"content-type": "text/plain"},
        b"no",
    )
    assert (
        apigw_response(
            {"statusCode": 200, "body": base64.b64encode(b"\x00").decode(), "isBase64Encoded": True}
        )[2]
        == b"\x00"
    )
    assert apigw_response({"ok": True}) == (200, {"content-type": "application/json"}, b'{"ok": true}')


CODE = textwrap.dedent(
    """
    import json

    def handler(event, context):
        return {"statusCode": 200, "headers": {"content-type": "application/json"}, "body": json.dumps(event)}
    """
)


@pytest.fixture
def http_gateway(tmp_path: Path) -> Iterator[str]:
    code = tmp_path / "code"
    code.mkdir()
    (code / "echo.py").write_text(CODE)
    spec = FunctionSpec(
        name=REQUESTER, arn=REQUESTER_ARN, handler="echo.handler", code_dir=code, environment={}, timeout=10
    )
    functions = LocalFunctions(
        [spec],
        region=REGION,
        endpoint_url="http://127.0.0.1:1",
        runtime_dir=tmp_path / "runtime",
        log_dir=tmp_path / "logs",
    )
    gateway = Gateway(functions=functions, pump=None, requester=REQUESTER)  # type: ignore[arg-type]
    from jit_access.local.gateway import handler_for

    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(gateway))
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    functions.stop()


def test_slack_events_runs_the_requester_with_the_event(http_gateway: str) -> None:
    body = b"payload=%7B%22type%22%3A%22shortcut%22%7D"
    request = urllib.request.Request(
        f"{http_gateway}/slack/events",
        data=body,
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded", "X-Slack-Signature": "v0=1"},
    )
    with urllib.request.urlopen(request) as response:
        event = json.loads(response.read())
        assert response.status == 200

    assert event["routeKey"] == "POST /slack/events"
    assert event["headers"]["x-slack-signature"] == "v0=1"
    assert event["requestContext"]["http"]["sourceIp"] == "127.0.0.1"
    assert base64.b64decode(event["body"]) == body

    with urllib.request.urlopen(f"{http_gateway}/_local/health") as response:
        assert json.loads(response.read())["functions"][REQUESTER]["warm"] is True


# --- the pump: queue, schedules, rules -------------------------------------------------------------------


class FakeFunctions:
    """Records invocations; answers from a policy (function, event) → Invocation fields."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.fail_bodies: set[str] = set()
        self.crash = False

    def __call__(self, function: str, event: Any) -> Invocation:
        self.calls.append((function, event))
        if self.crash:
            return Invocation(function, "r", False, error={"errorType": "Boom", "errorMessage": "down"})
        if "Records" in event:
            failures = [
                {"itemIdentifier": r["messageId"]} for r in event["Records"] if r["body"] in self.fail_bodies
            ]
            return Invocation(function, "r", True, result={"batchItemFailures": failures})
        return Invocation(function, "r", True, result={"ok": True})

    def of(self, kind: str) -> list[Any]:
        if kind == "sqs":
            return [e for _, e in self.calls if "Records" in e]
        return [e for _, e in self.calls if "Records" not in e]


@pytest.fixture
def emulated(aws: None) -> dict[str, Any]:
    sqs = boto3.client("sqs", region_name=REGION)
    dlq = sqs.create_queue(QueueName="work-dlq.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    queue = sqs.create_queue(
        QueueName="work.fifo",
        Attributes={
            "FifoQueue": "true",
            "VisibilityTimeout": "360",
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2}),
        },
    )["QueueUrl"]
    scheduler = boto3.client("scheduler", region_name=REGION)
    scheduler.create_schedule_group(Name=GROUP)
    events = boto3.client("events", region_name=REGION)
    events.put_rule(Name="reconcile", ScheduleExpression="rate(15 minutes)")
    events.put_targets(
        Rule="reconcile", Targets=[{"Id": "revoker", "Arn": REVOKER_ARN, "Input": '{"action": "reconcile"}'}]
    )
    return {"sqs": sqs, "queue": queue, "dlq": dlq, "scheduler": scheduler, "events": events}


@pytest.fixture
def functions() -> FakeFunctions:
    return FakeFunctions()


@pytest.fixture
def pump(emulated: dict[str, Any], functions: FakeFunctions) -> Pump:
    return Pump(
        sqs=emulated["sqs"],
        scheduler=emulated["scheduler"],
        events=emulated["events"],
        invoke=functions,
        functions_by_arn={REQUESTER_ARN: REQUESTER, REVOKER_ARN: REVOKER},
        queue_url=emulated["queue"],
        queue_function=REQUESTER,
        schedule_group=GROUP,
        region=REGION,
    )


def _send(emulated: dict[str, Any], body: str, group: str) -> None:
    emulated["sqs"].send_message(
        QueueUrl=emulated["queue"],
        MessageBody=body,
        MessageGroupId=group,
        MessageDeduplicationId=f"dedup-{body}",
    )


def _schedule(emulated: dict[str, Any], name: str, at: datetime, request_id: str) -> None:
    emulated["scheduler"].create_schedule(
        Name=name,
        GroupName=GROUP,
        ScheduleExpression=f"at({at:%Y-%m-%dT%H:%M:%S})",
        ScheduleExpressionTimezone="UTC",
        FlexibleTimeWindow={"Mode": "OFF"},
        ActionAfterCompletion="DELETE",
        Target={
            "Arn": REVOKER_ARN,
            "RoleArn": "arn:aws:iam::123456789012:role/scheduler",
            "Input": json.dumps({"action": "revoke", "request_id": request_id}),
        },
    )


def test_queue_records_are_built_as_the_lambda_event_source_builds_them(
    pump: Pump, emulated: dict[str, Any], functions: FakeFunctions
) -> None:
    _send(emulated, '{"kind": "submit"}', "20261204T100000Z-0000abcd")

    report = pump.run(NOW).to_json()

    (event,) = functions.of("sqs")
    (record,) = event["Records"]
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"].endswith(":work.fifo")
    assert record["awsRegion"] == REGION
    assert record["body"] == '{"kind": "submit"}'
    assert record["attributes"]["MessageGroupId"] == "20261204T100000Z-0000abcd"
    assert record["attributes"]["MessageDeduplicationId"] == 'dedup-{"kind": "submit"}'
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert {"SentTimestamp", "SequenceNumber", "ApproximateFirstReceiveTimestamp"} <= set(
        record["attributes"]
    )
    assert record["messageId"] and record["receiptHandle"] and record["md5OfBody"]
    assert SqsEvent.model_validate(event).records[0].body == record["body"]  # the requester's model
    assert report["queue"] == {"delivered": 1, "deleted": 1, "failed": []}
    assert report["ok"] is True


def test_only_reported_failures_stay_and_come_back_at_the_next_run(
    pump: Pump, emulated: dict[str, Any], functions: FakeFunctions
) -> None:
    for n in range(3):
        _send(emulated, f"work-{n}", f"group-{n}")
    functions.fail_bodies = {"work-1"}

    first = pump.run(NOW).to_json()
    functions.fail_bodies = set()
    second = pump.run(NOW).to_json()
    third = pump.run(NOW).to_json()

    assert first["queue"]["delivered"] == 3 and first["queue"]["deleted"] == 2
    assert len(first["queue"]["failed"]) == 1 and first["ok"] is False
    (retried,) = functions.of("sqs")[-1]["Records"]
    assert retried["body"] == "work-1"
    assert retried["attributes"]["ApproximateReceiveCount"] == "2"
    assert second["queue"] == {"delivered": 1, "deleted": 1, "failed": []}
    assert third["queue"]["delivered"] == 0


def test_a_failing_function_keeps_the_whole_batch_until_the_dead_letter_queue(
    pump: Pump, emulated: dict[str, Any], functions: FakeFunctions
) -> None:
    _send(emulated, "work", "group")
    functions.crash = True

    reports = [pump.run(NOW).to_json() for _ in range(3)]

    assert [r["queue"]["delivered"] for r in reports] == [1, 1, 0]
    (failed,) = [i for i in reports[0]["invocations"] if i["kind"] == "sqs"]
    assert failed["error"]["errorType"] == "Boom" and failed["failed_messages"] == failed["messages"]
    moved = emulated["sqs"].receive_message(QueueUrl=emulated["dlq"]).get("Messages", [])
    assert [m["Body"] for m in moved] == ["work"]


def test_due_schedules_fire_with_their_input_and_are_deleted(
    pump: Pump, emulated: dict[str, Any], functions: FakeFunctions
) -> None:
    _schedule(emulated, "jit-revoke-a", NOW - timedelta(minutes=1), "20261204T090000Z-0000000a")
    _schedule(emulated, "jit-revoke-b", NOW + timedelta(hours=1), "20261204T090000Z-0000000b")

    report = pump.run(NOW).to_json()

    assert report["schedules_fired"] == ["jit-revoke-a"]
    assert {"action": "revoke", "request_id": "20261204T090000Z-0000000a"} in functions.of("other")
    left = emulated["scheduler"].list_schedules(GroupName=GROUP)["Schedules"]
    assert [s["Name"] for s in left] == ["jit-revoke-b"]

    later = pump.run(NOW + timedelta(hours=2)).to_json()
    assert later["schedules_fired"] == ["jit-revoke-b"]
    assert emulated["scheduler"].list_schedules(GroupName=GROUP)["Schedules"] == []


def test_a_schedule_whose_invocation_failed_fires_again(
    pump: Pump, emulated: dict[str, Any], functions: FakeFunctions
) -> None:
    _schedule(emulated, "jit-revoke-a", NOW - timedelta(minutes=1), "20261204T090000Z-0000000a")
    functions.crash = True
    assert pump.run(NOW).to_json()["schedules_fired"] == ["jit-revoke-a"]
    functions.crash = False

    assert pump.run(NOW).to_json()["schedules_fired"] == ["jit-revoke-a"]
    assert emulated["scheduler"].list_schedules(GroupName=GROUP)["Schedules"] == []


def test_the_reconcile_rule_fires_on_the_first_run_then_once_per_rate(
    pump: Pump, functions: FakeFunctions
) -> None:
    fired = [
        pump.run(NOW + timedelta(minutes=minutes)).to_json()["rules_fired"]
        for minutes in (0, 5, 14, 15, 16, 31)
    ]

    assert fired == [["reconcile"], [], [], ["reconcile"], [], ["reconcile"]]
    assert functions.of("other") == [{"action": "reconcile"}] * 3


def test_schedule_and_rate_expressions() -> None:
    assert parse_at("at(2026-12-04T10:00:00)", "UTC") == NOW
    assert parse_at("at(2026-12-04T11:00:00)", "Europe/Paris") == NOW
    assert parse_at("rate(5 minutes)", None) is None
    assert rate_interval("rate(15 minutes)") == timedelta(minutes=15)
    assert rate_interval("rate(1 hour)") == timedelta(hours=1)
    assert rate_interval("cron(0 * * * ? *)") is None


# --- the embedded AWS ------------------------------------------------------------------------------------


def test_moto_does_not_invoke_the_function_of_an_event_source_mapping(aws: None, tmp_path: Path) -> None:
    """Without the patch moto would receive the message and try to run the function in Docker."""
    import io
    import zipfile

    sqs = boto3.client("sqs", region_name=REGION)
    queue = sqs.create_queue(QueueName="work")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    iam = boto3.client("iam", region_name=REGION)
    role = iam.create_role(RoleName="fn", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return None\n")
    awslambda = boto3.client("lambda", region_name=REGION)
    created = awslambda.create_function(
        FunctionName="fn",
        Runtime="python3.11",
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": code.getvalue()},
    )
    zip_path = tmp_path / "code.zip"
    zip_path.write_bytes(code.getvalue())
    assert code_sha256(zip_path) == created["CodeSha256"]  # how the gateway checks the deployed code
    awslambda.create_event_source_mapping(EventSourceArn=queue_arn, FunctionName="fn", Enabled=True)

    with queue_event_sources_off():
        sqs.send_message(QueueUrl=queue, MessageBody="still here")

    assert [m["Body"] for m in sqs.receive_message(QueueUrl=queue)["Messages"]] == ["still here"]


def test_the_gateway_refuses_a_zip_that_is_not_the_deployed_code(aws: None, tmp_path: Path) -> None:
    import io
    import zipfile

    from jit_access.local.gateway import CodeMismatch, load_function

    def zipped(source: str) -> bytes:
        code = io.BytesIO()
        with zipfile.ZipFile(code, "w") as archive:
            archive.writestr("app.py", source)
        return code.getvalue()

    role = boto3.client("iam", region_name=REGION).create_role(RoleName="fn", AssumeRolePolicyDocument="{}")
    awslambda = boto3.client("lambda", region_name=REGION)
    awslambda.create_function(
        FunctionName="fn",
        Runtime="python3.11",
        Role=role["Role"]["Arn"],
        Handler="app.handler",
        Code={"ZipFile": zipped("def handler(event, context):\n    return 1\n")},
        Environment={"Variables": {"JIT_ACCESS_LOG_LEVEL": "INFO"}},
        Timeout=42,
    )
    deployed, other = tmp_path / "deployed.zip", tmp_path / "other.zip"
    deployed.write_bytes(zipped("def handler(event, context):\n    return 1\n"))
    other.write_bytes(zipped("def handler(event, context):\n    return 2\n"))

    with pytest.raises(CodeMismatch, match="refusing to run"):
        load_function(awslambda, "fn", package_path=other, functions_dir=tmp_path / "functions")
    spec = load_function(awslambda, "fn", package_path=deployed, functions_dir=tmp_path / "functions")

    assert (spec.code_dir / "app.py").read_text().endswith("return 1\n")
    assert spec.environment == {"JIT_ACCESS_LOG_LEVEL": "INFO"}
    assert (spec.timeout, spec.handler) == (42, "app.handler")
