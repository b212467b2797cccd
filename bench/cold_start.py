"""Cold start: a fresh interpreter imports a handler and answers its first event, against the embedded moto
server and the Slack stub. Also: network calls made at import, and what the import spends its time on.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from common import LAMBDA, Deployment, Figure, judged, median, signed_event, slack_payload

RUNS = 5

# The child: time the import and the first invocation from inside, print them as JSON.
_CHILD = """
import json, sys, time
start = time.perf_counter()
import importlib
module = importlib.import_module(sys.argv[1])
imported = time.perf_counter()
event = json.load(open(sys.argv[2]))
result = module.handler(event, None)
done = time.perf_counter()
# The high-water mark of this process's own memory (wait4's ru_maxrss also counts the parent it forked from).
hwm = [line for line in open("/proc/self/status") if line.startswith("VmHWM:")]
rss_mb = int(hwm[0].split()[1]) / 1024 if hwm else None
times = {"import_s": imported - start, "handler_s": done - imported}
print(json.dumps({**times, "result": result, "rss_mb": rss_mb}))
"""

# Counts every connection attempt and name lookup made while the two handler modules are imported.
_IMPORT_NETWORK = """
import json, socket, time
attempts = []
real_connect, real_getaddrinfo = socket.socket.connect, socket.getaddrinfo
def connect(self, address):
    attempts.append(["connect", str(address)])
    return real_connect(self, address)
def getaddrinfo(*args, **kwargs):
    attempts.append(["getaddrinfo", str(args[0])])
    return real_getaddrinfo(*args, **kwargs)
socket.socket.connect, socket.getaddrinfo = connect, getaddrinfo
start = time.perf_counter()
import jit_access.handlers.requester, jit_access.handlers.revoker
print(json.dumps({"attempts": attempts, "import_s": time.perf_counter() - start}))
"""


def _child_env(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "JIT_ACCESS_"))}
    env.update(extra)
    env["PYTHONPATH"] = str(LAMBDA)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _rusage_child(module: str, event: dict[str, Any], env: dict[str, str]) -> dict[str, Any]:
    """Like run_child, reaped with os.wait4 so the CPU time and max RSS are this child's alone."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(event, f)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-c", _CHILD, module, f.name], env=_child_env(env), stdout=out, stderr=err
        )
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        os.unlink(f.name)
        out.seek(0)
        err.seek(0)
        if child.returncode != 0:
            raise RuntimeError(f"{module} cold start failed: {err.read().decode()[-2000:]}")
        reported = json.loads(out.read().splitlines()[-1])
    return {
        **reported,
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
    }


def interpreter_start_s() -> float:
    """Median wall time of `python -c pass` with the same environment: the part no handler code controls."""
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], env=_child_env({}), check=True)
        times.append(time.perf_counter() - start)
    return median(times)


def _cold_starts(name: str, module: str, make_event: Any, env: dict[str, str]) -> list[Figure]:
    runs = [_rusage_child(module, make_event(), env) for _ in range(RUNS)]
    statuses = {json.dumps(r["result"], sort_keys=True)[:120] for r in runs}
    wall = median([r["wall_s"] for r in runs])
    note = (
        f"median of {RUNS}, process spawn to answer; inside: import "
        f"{median([r['import_s'] for r in runs]) * 1000:.0f} ms + first event "
        f"{median([r['handler_s'] for r in runs]) * 1000:.0f} ms; `python -c pass` alone "
        f"{interpreter_start_s() * 1000:.0f} ms; answered {' | '.join(statuses)}"
    )
    return [
        judged(f"cold_start_{name}_s", wall, "s", "<", 0.5, note),
        judged(
            f"cold_start_{name}_cpu_s", median([r["cpu_s"] for r in runs]), "s", "<", 0.5, f"median of {RUNS}"
        ),
        judged(
            f"peak_rss_mb.{name}",
            max(r["rss_mb"] for r in runs),
            "MB",
            "<",
            150,
            f"max of the {RUNS} cold-start processes' own VmHWM",
        ),
    ]


def import_network_calls() -> Figure:
    """Import both handlers with AWS pointed at an unroutable address: any call would hang or fail."""
    env = _child_env(
        {
            "AWS_ENDPOINT_URL": "http://10.255.255.1:9",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_EC2_METADATA_DISABLED": "true",
        }
    )
    done = subprocess.run(
        [sys.executable, "-c", _IMPORT_NETWORK], env=env, capture_output=True, timeout=60, check=True
    )
    report = json.loads(done.stdout.splitlines()[-1])
    attempts = report["attempts"]
    note = f"socket connects and lookups while importing both handlers ({report['import_s']:.2f} s)"
    if attempts:
        note += ": " + ", ".join(f"{kind} {where}" for kind, where in attempts[:5])
    return judged("import_network_calls", len(attempts), "calls", "<=", 0, note)


def import_time_top(module: str = "jit_access.handlers.requester", top: int = 5) -> list[str]:
    """Lines of `python -X importtime`: the modules with the largest cumulative and self times."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        env=_child_env({}),
        capture_output=True,
        text=True,
        check=True,
    )
    rows = []
    for line in done.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if match:
            rows.append((int(match[1]), int(match[2]), len(match[3]) // 2, match[4]))
    # Outside packages (top-level names), each counted where it was first imported: what the import pays for.
    outer = [r for r in rows if "." not in r[3] and r[3] not in ("jit_access", "site", "encodings")]
    lines = [f"python -X importtime -c 'import {module}' (top {top} outside packages, cumulative):"]
    lines += [
        f"  {cum / 1000:7.1f} ms  {name}" for _, cum, _, name in sorted(outer, key=lambda r: -r[1])[:top]
    ]
    lines.append(f"  (top {top} by self time)")
    lines += [
        f"  {own / 1000:7.1f} ms  {name}" for own, _, _, name in sorted(rows, key=lambda r: -r[0])[:top]
    ]
    total = next((cum for _, cum, _, name in rows if name == module), 0)
    lines.append(f"  total {total / 1000:.1f} ms")
    return lines


def run(deployment: Deployment) -> tuple[list[Figure], list[str]]:
    requester_env = deployment.environ(requester=True)
    revoker_env = deployment.environ(requester=False)
    figures = _cold_starts(
        "requester",
        "jit_access.handlers.requester",
        lambda: signed_event(slack_payload("slack_shortcut.json")),
        requester_env,
    )
    figures += _cold_starts(
        "revoker",
        "jit_access.handlers.revoker",
        lambda: {"action": "revoke", "request_id": "20261204T100000Z-0000abcd"},
        revoker_env,
    )
    figures.append(import_network_calls())
    return figures, import_time_top()


if __name__ == "__main__":
    print(Path(__file__).name, "is run by bench/run.py")
