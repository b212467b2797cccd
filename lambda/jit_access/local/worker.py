"""Run a deployed function locally: a warm worker subprocess per function, one event at a time.

A `FunctionWorker` behaves like one Lambda execution environment: started on the first invocation (cold
start: the handler module is imported once), kept warm for the following ones, given only the environment
Lambda would give (the function's variables plus what Lambda injects), and killed when an invocation runs
past the function's timeout (the next invocation starts a fresh one). Invocations are serialised.

The subprocess runs jit_access/local/lambda_runtime.py isolated from this virtualenv; see that file.
"""

from __future__ import annotations

import contextlib
import importlib.util
import itertools
import json
import logging
import os
import selectors
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

RUNTIME_SCRIPT = Path(__file__).with_name("lambda_runtime.py")
# What the Lambda Python runtime provides besides the standard library (the /var/runtime of Lambda).
LAMBDA_PROVIDED = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six")
INIT_TIMEOUT_SECONDS = 10.0  # Lambda's init phase limit


@dataclass(frozen=True)
class Invocation:
    """What one invocation gave: the handler's result, or Lambda's error object."""

    function: str
    request_id: str
    ok: bool
    result: Any = None
    error: dict[str, Any] | None = None
    duration_ms: float = 0.0
    cold_start: bool = False

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "function": self.function,
            "request_id": self.request_id,
            "ok": self.ok,
            "duration_ms": round(self.duration_ms, 1),
            "cold_start": self.cold_start,
        }
        if self.ok:
            body["result"] = self.result
        else:
            body["error"] = self.error
        return body


@dataclass
class FunctionSpec:
    """A deployed function as Lambda knows it, plus where its code was extracted."""

    name: str
    arn: str
    handler: str
    code_dir: Path
    environment: dict[str, str]
    timeout: int = 3
    memory_size: int = 128
    runtime: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def lambda_provided_dir(target: Path) -> Path:
    """A directory holding only what the Lambda runtime provides (links into this Python's packages)."""
    target.mkdir(parents=True, exist_ok=True)
    for name in LAMBDA_PROVIDED:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            continue
        source = Path(spec.origin)
        if source.name == "__init__.py":
            source = source.parent
        link = target / source.name
        if link.is_symlink() or link.exists():
            if link.resolve() == source.resolve():
                continue
            link.unlink()
        link.symlink_to(source)
    return target


def lambda_environment(spec: FunctionSpec, *, region: str, endpoint_url: str) -> dict[str, str]:
    """The function's environment variables plus what Lambda itself injects; nothing from this shell."""
    log_group = f"/aws/lambda/{spec.name}"
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "PYTHONUNBUFFERED": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "LAMBDA_TASK_ROOT": str(spec.code_dir),
        "_HANDLER": spec.handler,
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{spec.runtime or 'python3'}",
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "AWS_LAMBDA_FUNCTION_NAME": spec.name,
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_size),
        "AWS_LAMBDA_LOG_GROUP_NAME": log_group,
        "AWS_LAMBDA_LOG_STREAM_NAME": f"local/[$LATEST]{uuid.uuid4().hex}",
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_SESSION_TOKEN": "test",
        # Not set by Lambda: the one addition that points every boto3 client at the emulator.
        "AWS_ENDPOINT_URL": endpoint_url,
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "_LOCAL_FUNCTION_ARN": spec.arn,
        **spec.environment,
    }


class FunctionWorker:
    """One warm execution environment of one function."""

    def __init__(
        self,
        spec: FunctionSpec,
        *,
        environment: dict[str, str],
        runtime_dirs: list[Path],
        log_path: Path,
        python: str = sys.executable,
    ):
        self.spec = spec
        self._environment = environment
        self._runtime_dirs = runtime_dirs
        self._log_path = log_path
        self._python = python
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._requests: Any = None
        self._responses_fd = -1
        self._buffer = b""
        self._eof = False
        self._ids = itertools.count(1)

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process and self._process.poll() is None else None

    @property
    def warm(self) -> bool:
        return self.pid is not None

    def invoke(self, event: Any, *, timeout: float | None = None) -> Invocation:
        """Run the handler with the event; errors and timeouts come back as Lambda error objects."""
        timeout = float(timeout or self.spec.timeout)
        request_id = str(uuid.uuid4())
        with self._lock:
            began = time.monotonic()
            cold = not self.warm
            if cold:
                started = self._start()
                if started is not None:
                    return self._done(request_id, began, cold, error=started)
            deadline_ms = int(time.time() * 1000 + timeout * 1000)
            message_id = next(self._ids)
            request = {"id": message_id, "event": event, "request_id": request_id, "deadline_ms": deadline_ms}
            try:
                self._requests.write(json.dumps(request).encode() + b"\n")
                self._requests.flush()
            except (BrokenPipeError, OSError) as error:
                self.stop()
                return self._done(request_id, began, cold, error=_runtime_error("Runtime.ExitError", error))
            reply = self._read(time.monotonic() + timeout)
            if reply is None:
                exited = self._eof
                self.stop()
                if exited:
                    failure = {
                        "errorType": "Runtime.ExitError",
                        "errorMessage": "the runtime exited during the invocation",
                    }
                else:
                    failure = {
                        "errorType": "Sandbox.Timedout",
                        "errorMessage": f"Task timed out after {timeout:.2f} seconds",
                    }
                return self._done(request_id, began, cold, error=failure)
            if reply.get("id") != message_id:
                self.stop()
                return self._done(
                    request_id,
                    began,
                    cold,
                    error={"errorType": "Runtime.ProtocolError", "errorMessage": "reply out of order"},
                )
            if reply["ok"]:
                return self._done(request_id, began, cold, result=reply.get("result"))
            return self._done(request_id, began, cold, error=reply["error"])

    def _done(
        self,
        request_id: str,
        began: float,
        cold: bool,
        *,
        result: Any = None,
        error: dict[str, Any] | None = None,
    ) -> Invocation:
        invocation = Invocation(
            function=self.spec.name,
            request_id=request_id,
            ok=error is None,
            result=result,
            error=error,
            duration_ms=(time.monotonic() - began) * 1000,
            cold_start=cold,
        )
        if error is not None:
            log.warning(
                "%s %s failed: %s: %s",
                self.spec.name,
                request_id,
                error.get("errorType"),
                error.get("errorMessage"),
            )
        return invocation

    def _start(self) -> dict[str, Any] | None:
        """Start the environment and import the handler; an error object if that failed."""
        requests_read, requests_write = os.pipe()
        responses_read, responses_write = os.pipe()
        argv = [
            self._python,
            "-I",
            "-S",
            str(RUNTIME_SCRIPT),
            "--handler",
            self.spec.handler,
            "--code-dir",
            str(self.spec.code_dir),
            "--requests-fd",
            str(requests_read),
            "--responses-fd",
            str(responses_write),
        ]
        for directory in self._runtime_dirs:
            argv += ["--runtime-dir", str(directory)]
        self._log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self._log_path, "ab") as log_file:
            self._process = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                env=self._environment,
                cwd=str(self.spec.code_dir),
                pass_fds=(requests_read, responses_write),
            )
        os.close(requests_read)
        os.close(responses_write)
        self._requests = os.fdopen(requests_write, "wb")
        self._responses_fd = responses_read
        self._buffer = b""
        self._eof = False
        ready = self._read(time.monotonic() + INIT_TIMEOUT_SECONDS)
        if ready is None or not ready.get("ready"):
            self.stop()
            if ready is None:
                return {
                    "errorType": "Runtime.InitError",
                    "errorMessage": f"the function did not start; see {self._log_path}",
                }
            return dict(ready["error"])
        return None

    def _read(self, deadline: float) -> dict[str, Any] | None:
        """The next JSON line from the runtime, or None on timeout or when it exited."""
        with selectors.DefaultSelector() as selector:
            selector.register(self._responses_fd, selectors.EVENT_READ)
            while b"\n" not in self._buffer:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not selector.select(timeout=remaining):
                    return None
                chunk = os.read(self._responses_fd, 65536)
                if not chunk:
                    self._eof = True
                    return None
                self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        reply: dict[str, Any] = json.loads(line)
        return reply

    def stop(self, *, grace: float = 0.0) -> None:
        """End the environment: close its request pipe (it exits at EOF), kill it after `grace` seconds."""
        process, self._process = self._process, None
        if self._requests is not None:
            with contextlib.suppress(OSError):
                self._requests.close()
            self._requests = None
        if self._responses_fd >= 0:
            os.close(self._responses_fd)
            self._responses_fd = -1
        if process is not None:
            try:
                process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


def _runtime_error(error_type: str, error: BaseException) -> dict[str, Any]:
    return {"errorType": error_type, "errorMessage": str(error)}
