"""How fast the rules load and decide: figures to read, not a test (`make bench`).

Prints the time to load and validate 1,000 rules (from YAML, as `jit-access policy` does, and from the
JSON config object, as each function does at a cold start) and the p50/p99 time of one decision over
10,000 requests (`decide_request`, and `check_approver` for a click), with a seeded generator so two runs
decide the same requests.
"""

from __future__ import annotations

import json
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "lambda"))

from jit_access.config import Config
from jit_access.core.rules import Target, check_approver, decide_request, matching_rules
from jit_access.policy_file import load_policy

RULES = 1_000
DECISIONS = 10_000
ACCOUNTS = [f"{n:012d}" for n in range(100_000_000_001, 100_000_000_001 + 200)]
OUS = [f"ou-ab12-{n:08d}" for n in range(20)]
PERMISSION_SETS = ["AdministratorAccess", "PowerUserAccess", "ReadOnlyAccess", "ViewOnlyAccess", "Billing"]
PEOPLE = [f"person{n}@example.com" for n in range(50)]
TRI = [None, None, True, False]


def make_rule(rnd: random.Random, index: int) -> dict[str, Any]:
    approvers = rnd.sample(PEOPLE, rnd.randint(1, 4))
    return {
        "id": f"rule-{index:04d}",
        "accounts": rnd.sample(ACCOUNTS + OUS + ["*"] * 3, rnd.randint(1, 3)),
        "exclude_accounts": rnd.sample(ACCOUNTS, rnd.randint(0, 1)),
        "permission_sets": rnd.sample(PERMISSION_SETS, rnd.randint(1, 2)),
        "approvers": approvers,
        "required_approvals": rnd.randint(1, len(approvers)),
        "allow_self_approval": rnd.choice(TRI),
        "approval_not_required": rnd.choice(TRI),
        "max_duration": rnd.choice([None, "30m", "1h", "2h", "8h", "12h"]),
        "reason_min_length": rnd.choice([None, 0, 10]),
        "ticket_pattern": rnd.choice([None, None, None, "(INC|CHG)-[0-9]+"]),
    }


def timed(action: Callable[[], object], repeat: int) -> float:
    """Median wall time of `action` over `repeat` runs, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def percentiles(samples_ns: list[int]) -> tuple[float, float]:
    ordered = sorted(samples_ns)
    p50 = ordered[len(ordered) // 2]
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return p50 / 1000, p99 / 1000  # microseconds


def measure() -> dict[str, Any]:
    """Load times (seconds), decision samples (ns) and outcome counts; `main` prints them, bench/run.py
    tabulates them."""
    rnd = random.Random(42)
    rules = [make_rule(rnd, i) for i in range(RULES)]
    yaml_text = yaml.safe_dump({"rules": rules, "defaults": {"max_duration": "8h"}}, sort_keys=False)
    config_json = json.dumps({"slack": {"team_id": "T1", "channel_id": "C1"}, "rules": rules})

    load_yaml = timed(lambda: load_policy(yaml_text), repeat=5)
    load_json = timed(lambda: Config.parse(config_json), repeat=5)

    policy = load_policy(yaml_text)
    ou_accounts = {ou: frozenset(rnd.sample(ACCOUNTS, 20)) for ou in OUS}
    requests = [
        {
            "requester_email": rnd.choice(PEOPLE),
            "target": Target(rnd.choice(ACCOUNTS), rnd.choice(PERMISSION_SETS)),
            "duration": timedelta(minutes=rnd.choice([30, 60, 120, 240])),
            "reason": rnd.choice(["INC-42 restore the orders database", "checking a deploy"]),
        }
        for _ in range(DECISIONS)
    ]
    outcomes: dict[str, int] = {}
    decide_ns, click_ns = [], []
    for request in requests:
        start = time.perf_counter_ns()
        decision = decide_request(policy, ou_accounts=ou_accounts, **request)
        decide_ns.append(time.perf_counter_ns() - start)
        outcomes[decision.outcome.value] = outcomes.get(decision.outcome.value, 0) + 1
        start = time.perf_counter_ns()
        check_approver(
            policy,
            approver_email=rnd.choice(PEOPLE),
            requester_email=request["requester_email"],
            target=request["target"],
            duration=request["duration"],
            ou_accounts=ou_accounts,
        )
        click_ns.append(time.perf_counter_ns() - start)
    matched = statistics.mean(len(matching_rules(policy.rules, r["target"], ou_accounts)) for r in requests)
    return {
        "load_yaml_s": load_yaml,
        "load_json_s": load_json,
        "decide_ns": decide_ns,
        "click_ns": click_ns,
        "outcomes": outcomes,
        "matched": matched,
    }


def main() -> None:
    print(f"Python {platform.python_version()} on {platform.machine()} ({platform.system()})")
    m = measure()
    print(
        f"load + validate {RULES:,} rules: {m['load_yaml_s'] * 1000:.0f} ms from YAML (jit-access policy), "
        f"{m['load_json_s'] * 1000:.0f} ms from the JSON config object (a function's cold start)"
    )
    for name, samples in (("decide_request", m["decide_ns"]), ("check_approver", m["click_ns"])):
        p50, p99 = percentiles(samples)
        print(f"{name} over {RULES:,} rules, {DECISIONS:,} requests: p50 {p50:.0f} µs, p99 {p99:.0f} µs")
    print(
        "outcomes: "
        + ", ".join(f"{k} {v}" for k, v in sorted(m["outcomes"].items()))
        + f"; {m['matched']:.1f} rules match a request on average"
    )


if __name__ == "__main__":
    main()
