"""Background processes of the local stack: start detached, announce readiness, stop by pid.

Every server of the stack binds 127.0.0.1 on a port the kernel picks (port 0), then writes a small JSON
"ready file" with its pid and URL. The parent waits for that file instead of guessing a free port, so two
stacks (or a stack and a test) never race for a port.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

# Only processes whose command line carries this mark are ever signalled by `down`: a pid recorded by a
# stack that died long ago may belong to some other program by now.
PROCESS_MARK = "jit_access.local"


class StartError(RuntimeError):
    """A background process of the stack did not come up; the message names its log."""


def write_ready_file(path: Path, **values: Any) -> None:
    """Announce readiness atomically: the parent never reads a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps({"pid": os.getpid(), **values}))
    os.replace(partial, path)


def spawn(
    name: str,
    argv: Sequence[str],
    *,
    log_path: Path,
    pid_path: Path,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> subprocess.Popen[bytes]:
    """Start `python -m ...` detached from this terminal (own session), output appended to its log."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    pid_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [sys.executable, *argv],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=cwd,
            start_new_session=True,
        )
    pid_path.write_text(f"{process.pid}\n")
    return process


def wait_ready(
    name: str, process: subprocess.Popen[bytes], ready_path: Path, *, log_path: Path, timeout: float = 30.0
) -> dict[str, Any]:
    """The ready file's content, once the process has written it; StartError if it died or hung."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready_path.exists():
            data: dict[str, Any] = json.loads(ready_path.read_text())
            return data
        code = process.poll()
        if code is not None:
            raise StartError(f"{name} exited with status {code} before it was ready; see {log_path}")
        time.sleep(0.05)
    raise StartError(f"{name} was not ready after {timeout:.0f} s; see {log_path}")


def is_ours(pid: int) -> bool:
    """Whether the pid is alive and one of the stack's processes (not a recycled pid)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return False
    cmdline = Path(f"/proc/{pid}/cmdline")
    if cmdline.exists():
        try:
            return PROCESS_MARK in cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            return False
    # No /proc (macOS): trust the pid file, written by us for a process started by us.
    return True


def stop(pid: int, *, grace: float = 5.0) -> bool:
    """SIGTERM, then SIGKILL after `grace` seconds. True when the process is gone (or never was ours)."""
    if not is_ours(pid):
        return True
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return True
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.05)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return True
    for _ in range(100):
        if not _alive(pid):
            return True
        time.sleep(0.02)
    return False


def _alive(pid: int) -> bool:
    try:
        # Reap it if it is our child (the parent that started it may still be running, e.g. in a test).
        reaped, _ = os.waitpid(pid, os.WNOHANG)
        if reaped == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers signal 0; it is gone for our purposes.
    status = Path(f"/proc/{pid}/status")
    if status.exists():
        try:
            return "\nState:\tZ" not in status.read_text()
        except OSError:
            return False
    return True
