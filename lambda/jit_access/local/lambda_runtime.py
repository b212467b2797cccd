"""The inside of a local Lambda container: imports the handler once, then runs one event at a time.

Started by jit_access.local.worker as `python -I -S <this file> ...`: isolated (no PYTHONPATH, no user or
virtualenv site-packages, no script directory on sys.path), so the only code importable is the standard
library, the extracted deployment zip (first, like /var/task) and the libraries the Lambda runtime itself
provides (boto3 and its dependencies, like /var/runtime). A dependency missing from the zip fails here as
it would in Lambda.

Protocol: JSON lines on two dedicated pipes (`--requests-fd`, `--responses-fd`), never stdin/stdout, so
whatever the handler prints goes to the function's log and cannot corrupt a reply. First line out:
`{"ready": true}` or `{"ready": false, "error": {...}}`. Then per request `{"id", "event", "request_id",
"deadline_ms"}` → `{"id", "ok": true, "result"}` or `{"id", "ok": false, "error": {"errorMessage",
"errorType", "stackTrace"}}` (Lambda's error shape).

This file imports nothing from jit_access: the package it runs is the one in the zip.
"""

from __future__ import annotations

import argparse
import decimal
import importlib
import json
import logging
import os
import sys
import time
import traceback
from typing import Any


class LambdaContext:
    """The attributes and method of the context object Lambda's Python runtime passes to handlers."""

    def __init__(self, request_id: str, deadline_ms: int):
        self.aws_request_id = request_id
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.invoked_function_arn = os.environ.get("_LOCAL_FUNCTION_ARN", "")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self.identity = None
        self.client_context = None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self._deadline_ms - int(time.time() * 1000))


class _RequestIdFilter(logging.Filter):
    request_id = ""

    def filter(self, record: logging.LogRecord) -> bool:
        record.aws_request_id = self.request_id
        return True


def _error(error_type: str, error: BaseException) -> dict[str, Any]:
    return {
        "errorMessage": str(error),
        "errorType": error_type,
        "stackTrace": traceback.format_exception(type(error), error, error.__traceback__),
    }


def _decimal(value: Any) -> Any:
    """Lambda's runtime serialises Decimal (DynamoDB's numbers) and nothing else beyond plain JSON."""
    if isinstance(value, decimal.Decimal):
        return float(value) if value % 1 else int(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _load(handler: str) -> Any:
    module_name, _, function_name = handler.rpartition(".")
    module = importlib.import_module(module_name)
    return getattr(module, function_name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--handler", required=True)
    parser.add_argument("--code-dir", required=True)
    parser.add_argument("--runtime-dir", action="append", default=[])
    parser.add_argument("--requests-fd", type=int, required=True)
    parser.add_argument("--responses-fd", type=int, required=True)
    args = parser.parse_args(argv)

    sys.path[:0] = [args.code_dir]
    sys.path.extend(args.runtime_dir)
    os.chdir(args.code_dir)

    # Lambda's runtime installs a root handler writing "[LEVEL] time request-id message" to the log.
    request_filter = _RequestIdFilter()
    log_handler = logging.StreamHandler(sys.stderr)
    log_handler.setFormatter(
        logging.Formatter(
            "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s", "%Y-%m-%dT%H:%M:%S"
        )
    )
    logging.Formatter.converter = time.gmtime
    log_handler.addFilter(request_filter)
    logging.getLogger().addHandler(log_handler)
    logging.getLogger().setLevel(logging.WARNING)

    requests = os.fdopen(args.requests_fd, "rb")
    responses = os.fdopen(args.responses_fd, "wb")

    def reply(message: dict[str, Any]) -> None:
        try:
            line = json.dumps(message, default=_decimal)
        except (TypeError, ValueError) as error:
            line = json.dumps(
                {"id": message.get("id"), "ok": False, "error": _error("Runtime.MarshalError", error)}
            )
        responses.write(line.encode() + b"\n")
        responses.flush()

    started = time.monotonic()
    try:
        handler = _load(args.handler)
    except Exception as error:
        traceback.print_exc()
        reply({"ready": False, "error": _error("Runtime.ImportModuleError", error)})
        return 1
    print(
        f"INIT_REPORT Init Duration: {(time.monotonic() - started) * 1000:.2f} ms",
        file=sys.stderr,
        flush=True,
    )
    reply({"ready": True})

    for line in requests:  # EOF: the gateway is gone, so is this container
        request = json.loads(line)
        request_id = request["request_id"]
        request_filter.request_id = request_id
        print(f"START RequestId: {request_id} Version: $LATEST", file=sys.stderr, flush=True)
        began = time.monotonic()
        context = LambdaContext(request_id, int(request["deadline_ms"]))
        try:
            result = handler(request["event"], context)
            message: dict[str, Any] = {"id": request["id"], "ok": True, "result": result}
        except Exception as error:
            traceback.print_exc()
            message = {"id": request["id"], "ok": False, "error": _error(type(error).__name__, error)}
        sys.stdout.flush()
        elapsed = (time.monotonic() - began) * 1000
        print(f"END RequestId: {request_id}", file=sys.stderr)
        print(f"REPORT RequestId: {request_id}\tDuration: {elapsed:.2f} ms", file=sys.stderr, flush=True)
        request_filter.request_id = ""
        reply(message)
    return 0


if __name__ == "__main__":
    sys.exit(main())
