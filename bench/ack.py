"""Ack latency of the requester's HTTP path, warm and in-process (handler time only, against the embedded
moto server and the Slack stub), and the time to open the request modal at 2,000 accounts x 200 permission
sets.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from common import (
    CallCounter,
    Deployment,
    Figure,
    SlackStub,
    client,
    judged,
    median,
    missing,
    percentile,
    reset_moto,
    seed,
    signed_event,
    slack_payload,
    submission_payload,
    use_environ,
)

REQUESTS = 200
MODAL_ACCOUNTS, MODAL_PERMISSION_SETS = 2_000, 200


def _fresh_requester(deployment: Deployment) -> Any:
    use_environ(deployment.environ(requester=True))
    from jit_access import bootstrap
    from jit_access.handlers import requester

    bootstrap.runtime.cache_clear()
    return requester


def _latencies(
    handler: Callable[..., dict[str, Any]],
    events: list[dict[str, Any]],
    check: Callable[[dict], bool],
    between: Callable[[], object] = lambda: None,
) -> list[float]:
    samples, failed = [], 0
    for event in events:
        between()
        start = time.perf_counter()
        response = handler(event, None)
        samples.append((time.perf_counter() - start) * 1000)
        failed += not check(response)
    if failed:
        raise RuntimeError(f"{failed} of {len(events)} requests were not answered as expected")
    return samples


def _shortcuts(n: int) -> list[dict[str, Any]]:
    events = []
    for i in range(n):
        payload = slack_payload("slack_shortcut.json")
        payload["trigger_id"] = f"1796378400.{i}.abcdef0123456789"
        events.append(signed_event(payload))
    return events


def ack_latency(deployment: Deployment) -> list[Figure]:
    requester = _fresh_requester(deployment)
    sqs = client(deployment.endpoint, "sqs")

    def empty_queue() -> None:
        # moto's FIFO SendMessage slows linearly with the messages already queued (about 10 ms more per
        # 100) and PurgeQueue is allowed once a minute; the Lambda's queue is drained as it fills, so each
        # request meets an empty one here too.
        while True:
            messages = sqs.receive_message(QueueUrl=deployment.queue_url, MaxNumberOfMessages=10).get(
                "Messages", []
            )
            if not messages:
                return
            sqs.delete_message_batch(
                QueueUrl=deployment.queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)],
            )

    account, permission_set = deployment.accounts[0], sorted(deployment.permission_sets)[0]
    ok = lambda r: r["statusCode"] == 200  # noqa: E731

    def cleared(response: dict[str, Any]) -> bool:
        return ok(response) and json.loads(response["body"]).get("response_action") == "clear"

    def clicks(n: int, start: int) -> list[dict[str, Any]]:
        events = []
        for i in range(start, start + n):
            payload = slack_payload("slack_block_actions.json")
            payload["actions"][0]["action_ts"] = f"1796378403.{i:06d}"
            events.append(signed_event(payload))
        return events

    def submissions(n: int, start: int) -> list[dict[str, Any]]:
        return [
            signed_event(submission_payload(account, permission_set, f"V{i:09d}"))
            for i in range(start, start + n)
        ]

    kinds: dict[str, tuple[Callable[[int, int], list[dict[str, Any]]], Callable[[dict], bool]]] = {
        "shortcut": (lambda n, start: _shortcuts(n), ok),
        "view_submission": (submissions, cleared),
        "block_actions": (clicks, ok),
    }
    figures = []
    for kind, (make, check) in kinds.items():
        _latencies(requester.handler, make(5, 0), check, empty_queue)  # warm: clients, caches, connections
        samples = _latencies(requester.handler, make(REQUESTS, 10), check, empty_queue)
        p50, p99 = percentile(samples, 0.5), percentile(samples, 0.99)
        figures.append(
            judged(
                f"ack_p99_ms.{kind}",
                p99,
                "ms",
                "<",
                50,
                f"p50 {p50:.1f} ms, max {max(samples):.1f} ms over {REQUESTS} warm requests "
                f"(AWS: moto server; Slack: local stub)",
            )
        )
    figures.append(
        missing(
            "ack_p99_ms.block_suggestion",
            "ms",
            "< 50",
            "options query (typeahead, external_select) does not exist yet",
        )
    )
    return figures


def modal_open(endpoint: str, counter: CallCounter) -> list[Figure]:
    """The first shortcut of a fresh container (bootstrap included) and a warm one, with 2,000 accounts named
    in account_names and 200 permission sets in Identity Center."""
    reset_moto(endpoint)
    with SlackStub() as slack:
        deployment = seed(
            endpoint,
            slack_api_url=slack.base_url,
            accounts=MODAL_ACCOUNTS,
            permission_sets=MODAL_PERMISSION_SETS,
            organization=False,
        )
        requester = _fresh_requester(deployment)
        counter.reset()
        start = time.perf_counter()
        first = requester.handler(signed_event(slack_payload("slack_shortcut.json")), None)
        cold = time.perf_counter() - start
        calls = dict(counter.calls)
        warm = median(_latencies(requester.handler, _shortcuts(5), lambda r: r["statusCode"] == 200))
    if first["statusCode"] != 200 or slack.calls["views.open"] != 6:
        raise RuntimeError(f"the modal was not opened: {first}, Slack calls {dict(slack.calls)}")
    top = ", ".join(f"{op} {n}" for op, n in sorted(calls.items(), key=lambda kv: -kv[1])[:3])
    note = (
        f"first shortcut of a fresh container, config + SSM + {sum(calls.values())} AWS calls ({top}); "
        f"warm {warm:.0f} ms. Slack shows at most 100 options per static menu: accounts 101-2,000 and "
        "permission sets 101-200 cannot be chosen (Organizations not set up here: names from account_names)"
    )
    return [
        judged(f"modal_open_s.{MODAL_ACCOUNTS}x{MODAL_PERMISSION_SETS}", cold, "s", "<", 1, note),
        missing("typeahead_cold_s", "s", "", "options query (typeahead) does not exist yet"),
        missing("typeahead_warm_s", "s", "", "options query (typeahead) does not exist yet"),
    ]
