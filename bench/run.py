"""`make bench`: figures that keep us honest, against targets. Prints one table, writes bench/results.json.

    .venv/bin/python bench/run.py

Everything runs locally: AWS is an in-process moto server, Slack a stub on 127.0.0.1. A figure for
something that does not exist yet is printed as n/a (and not ok) with a note, never invented. A part that
fails is reported as a row naming the error, and the run goes on. It asserts nothing: exit status 0
unless the script itself breaks.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import platform
import time
import traceback
from collections.abc import Callable
from pathlib import Path

import common
from common import CallCounter, Figure, SlackStub, judged, moto_server, seed, use_environ

RESULTS = Path(__file__).resolve().parent / "results.json"
RECONCILE_BUDGET_S = 240.0  # the two largest reconcile sizes are skipped beyond this
AUDIT_WRITE_BUDGET_S = 60.0  # writing events to moto is the slow part of the audit figure


def machine() -> dict[str, object]:
    cpu = ""
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as info:
        cpu = next((ln.split(":", 1)[1].strip() for ln in info if ln.startswith("model name")), "")
    memory_gb = None
    with contextlib.suppress(ValueError, OSError):
        memory_gb = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "system": platform.system(),
        "machine": platform.machine(),
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "memory_gb": memory_gb,
        "when": common.utc_now().isoformat(timespec="seconds"),
    }


def decisions() -> list[Figure]:
    import rules

    m = rules.measure()
    _, decide_p99_us = rules.percentiles(m["decide_ns"])
    _, click_p99_us = rules.percentiles(m["click_ns"])
    return [
        judged(
            "rules_load_ms",
            m["load_yaml_s"] * 1000,
            "ms",
            "<",
            200,
            f"{rules.RULES:,} rules from YAML (jit-access policy); from the JSON config object "
            f"(a cold start) {m['load_json_s'] * 1000:.0f} ms",
        ),
        judged(
            "decision_p99_ms",
            decide_p99_us / 1000,
            "ms",
            "<",
            1,
            f"decide_request over {rules.RULES:,} rules, {rules.DECISIONS:,} requests; "
            f"check_approver p99 {click_p99_us / 1000:.2f} ms",
        ),
    ]


def guarded(part: str, names: list[str], action: Callable[[], list[Figure]]) -> list[Figure]:
    """The part's figures, or one n/a row per expected figure naming the error: the run goes on."""
    start = time.perf_counter()
    print(f"… {part}", flush=True)
    try:
        figures = action()
    except Exception as error:
        traceback.print_exc()
        return [common.missing(name, "", "", f"{part} failed: {error}"[:200]) for name in names]
    print(f"  {part}: {time.perf_counter() - start:.0f} s", flush=True)
    return figures


def table(figures: list[Figure]) -> str:
    rows = [["figure", "value", "unit", "target", "ok"]]
    for f in figures:
        value = f.value if isinstance(f.value, str) else f"{f.value:,.3f}".rstrip("0").rstrip(".")
        rows.append([f.name, value, f.unit, f.target, "yes" if f.ok else "NO"])
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(
            c.rjust(w) if i == 1 else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )
        for r in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    notes = [f"  {f.name}: {f.note}" for f in figures if f.note]
    return "\n".join(lines) + "\n\nnotes:\n" + "\n".join(notes)


def main() -> None:
    # The handlers set the root logger to INFO at import; with no handler configured only warnings show.
    logging.getLogger("botocore").setLevel(logging.WARNING)
    started = time.perf_counter()
    use_environ(common.aws_environ("http://127.0.0.1:9"))  # until the moto server is up: nothing real
    counter = CallCounter().install()
    figures: list[Figure] = []
    extra: list[str] = []

    import ack
    import audit
    import cold_start
    import package
    import reconcile

    # First, in a quiet process: the rules figures are CPU-bound and the moto server's garbage slows them.
    figures += guarded("decisions", ["rules_load_ms", "decision_p99_ms"], decisions)
    with moto_server() as endpoint, SlackStub() as slack:
        deployment = seed(endpoint, slack_api_url=slack.base_url, accounts=20, permission_sets=10)

        def cold() -> list[Figure]:
            found, lines = cold_start.run(deployment)
            extra.extend(lines)
            return found

        figures += guarded(
            "cold start",
            ["cold_start_requester_s", "cold_start_revoker_s", "import_network_calls"],
            cold,
        )
        figures += guarded(
            "ack latency",
            ["ack_p99_ms.shortcut", "ack_p99_ms.view_submission", "ack_p99_ms.block_actions"],
            lambda: ack.ack_latency(deployment),
        )
        figures += guarded(
            "modal at 2,000 x 200",
            ["modal_open_s.2000x200"],
            lambda: ack.modal_open(endpoint, counter),
        )
        figures += guarded(
            "reconcile",
            [f"reconcile_calls.{'x'.join(map(str, s))}" for s in reconcile.SIZES],
            lambda: reconcile.run(endpoint, slack.base_url, counter, RECONCILE_BUDGET_S),
        )
        figures += guarded(
            "audit sessions",
            ["audit_sessions_s"],
            lambda: audit.run(endpoint, slack.base_url, counter, AUDIT_WRITE_BUDGET_S),
        )
    figures += guarded("package", ["zip_mb", "unzipped_mb"], package.run)

    order = [
        "cold_start",
        "import_network",
        "peak_rss",
        "ack_",
        "modal_open",
        "typeahead",
        "reconcile_calls",
        "reconcile_s",
        "rules_load",
        "decision",
        "audit",
        "zip",
        "unzipped",
    ]
    figures.sort(key=lambda f: next((i for i, p in enumerate(order) if f.name.startswith(p)), len(order)))
    results = {"machine": machine(), "figures": [f.to_json() for f in figures]}
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print()
    print(table(figures))
    print()
    print("\n".join(extra))
    missed = [f.name for f in figures if not f.ok]
    print(
        f"\n{len(figures) - len(missed)} of {len(figures)} figures on target; "
        f"results in {RESULTS.relative_to(Path.cwd()) if RESULTS.is_relative_to(Path.cwd()) else RESULTS}; "
        f"{time.perf_counter() - started:.0f} s in all"
    )


if __name__ == "__main__":
    main()
