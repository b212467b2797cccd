"""The local Lambda worker: warm reuse, Lambda's error shapes, timeouts, isolation, a clean environment."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from jit_access.local.worker import FunctionSpec, FunctionWorker, lambda_environment, lambda_provided_dir

FUNCTION = textwrap.dedent(
    """
    import os
    import sys
    import time

    CALLS = 0
    print("printed at import: goes to the log")


    def handler(event, context):
        global CALLS
        CALLS += 1
        print("printed by the handler {not json")
        sys.stdout.write("}\\n")
        kind = event.get("kind")
        if kind == "env":
            return {name: os.environ.get(name) for name in event["names"]}
        if kind == "calls":
            return CALLS
        if kind == "fail":
            raise ValueError("boom")
        if kind == "sleep":
            time.sleep(event["seconds"])
            return "slept"
        if kind == "importable":
            try:
                __import__(event["module"])
            except ImportError:
                return False
            return True
        if kind == "context":
            return {
                "function_name": context.function_name,
                "request_id": context.aws_request_id,
                "remaining_ms": context.get_remaining_time_in_millis(),
            }
        if kind == "exit":
            os._exit(3)
        if kind == "unserialisable":
            return {1, 2}
        return event
    """
)


@pytest.fixture
def function(tmp_path: Path) -> FunctionSpec:
    code = tmp_path / "code"
    code.mkdir()
    (code / "app.py").write_text(FUNCTION)
    return FunctionSpec(
        name="local-test",
        arn="arn:aws:lambda:us-east-1:123456789012:function:local-test",
        handler="app.handler",
        code_dir=code,
        environment={"JIT_ACCESS_LOG_LEVEL": "DEBUG"},
        timeout=5,
        runtime="python3.11",
    )


def _worker(spec: FunctionSpec, tmp_path: Path) -> FunctionWorker:
    return FunctionWorker(
        spec,
        environment=lambda_environment(spec, region="eu-west-1", endpoint_url="http://127.0.0.1:1"),
        runtime_dirs=[lambda_provided_dir(tmp_path / "runtime")],
        log_path=tmp_path / "function.log",
    )


@pytest.fixture
def worker(function: FunctionSpec, tmp_path: Path) -> Iterator[FunctionWorker]:
    worker = _worker(function, tmp_path)
    yield worker
    worker.stop()


def test_result_comes_back_although_the_handler_prints(worker: FunctionWorker, tmp_path: Path) -> None:
    invocation = worker.invoke({"kind": "echo", "value": [1, "two"]})

    assert invocation.ok, invocation.error
    assert invocation.result == {"kind": "echo", "value": [1, "two"]}
    log = (tmp_path / "function.log").read_text()
    assert "printed at import" in log
    assert "printed by the handler {not json" in log
    assert f"START RequestId: {invocation.request_id}" in log


def test_the_environment_stays_warm_between_invocations(worker: FunctionWorker) -> None:
    first = worker.invoke({"kind": "calls"})
    second = worker.invoke({"kind": "calls"})

    assert (first.result, first.cold_start) == (1, True)
    assert (second.result, second.cold_start) == (2, False)


def test_a_handler_error_has_lambdas_shape_and_keeps_the_environment(worker: FunctionWorker) -> None:
    failed = worker.invoke({"kind": "fail"})
    after = worker.invoke({"kind": "calls"})

    assert not failed.ok
    assert failed.error is not None
    assert failed.error["errorType"] == "ValueError"
    assert failed.error["errorMessage"] == "boom"
    assert any("boom" in line for line in failed.error["stackTrace"])
    assert after.ok and after.result == 2 and not after.cold_start


def test_a_timeout_kills_the_environment_and_the_next_call_starts_cold(worker: FunctionWorker) -> None:
    worker.invoke({"kind": "calls"})
    timed_out = worker.invoke({"kind": "sleep", "seconds": 10}, timeout=0.5)
    after = worker.invoke({"kind": "calls"})

    assert timed_out.error is not None and timed_out.error["errorType"] == "Sandbox.Timedout"
    assert timed_out.duration_ms < 3000
    assert after.ok and after.result == 1 and after.cold_start


def test_an_exiting_runtime_is_reported_and_replaced(worker: FunctionWorker) -> None:
    exited = worker.invoke({"kind": "exit"})
    after = worker.invoke({"kind": "calls"})

    assert exited.error is not None and exited.error["errorType"] == "Runtime.ExitError"
    assert after.ok and after.cold_start


def test_an_unserialisable_result_is_a_marshal_error(worker: FunctionWorker) -> None:
    invocation = worker.invoke({"kind": "unserialisable"})

    assert invocation.error is not None and invocation.error["errorType"] == "Runtime.MarshalError"


def test_only_lambdas_environment_reaches_the_function(
    worker: FunctionWorker, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JIT_ACCESS_FROM_THE_DEVELOPERS_SHELL", "leaked")
    names = [
        "JIT_ACCESS_LOG_LEVEL",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_ENDPOINT_URL",
        "AWS_ACCESS_KEY_ID",
        "JIT_ACCESS_FROM_THE_DEVELOPERS_SHELL",
        "VIRTUAL_ENV",
    ]

    env = worker.invoke({"kind": "env", "names": names}).result

    assert env["JIT_ACCESS_LOG_LEVEL"] == "DEBUG"
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "eu-west-1"
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "local-test"
    assert env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:1"
    assert env["AWS_ACCESS_KEY_ID"]
    assert env["JIT_ACCESS_FROM_THE_DEVELOPERS_SHELL"] is None
    assert env["VIRTUAL_ENV"] is None


def test_only_the_zip_and_what_lambda_provides_are_importable(worker: FunctionWorker) -> None:
    def importable(module: str) -> bool:
        return bool(worker.invoke({"kind": "importable", "module": module}).result)

    assert importable("boto3")
    assert importable("json")
    assert not importable("slack_sdk"), "not in the zip: Lambda would not have it either"
    assert not importable("pytest")
    assert not importable("jit_access.local"), "the local stack is never importable by the function"


def test_the_context_has_the_function_name_and_a_deadline(worker: FunctionWorker) -> None:
    invocation = worker.invoke({"kind": "context"}, timeout=4)

    assert invocation.result["function_name"] == "local-test"
    assert invocation.result["request_id"] == invocation.request_id
    assert 0 < invocation.result["remaining_ms"] <= 4000


def test_a_handler_that_cannot_be_imported_is_an_import_error(function: FunctionSpec, tmp_path: Path) -> None:
    function.handler = "missing_module.handler"
    worker = _worker(function, tmp_path)

    invocation = worker.invoke({})

    assert invocation.error is not None
    assert invocation.error["errorType"] == "Runtime.ImportModuleError"
    assert "missing_module" in invocation.error["errorMessage"]
    assert not worker.warm
