"""`jit-access audit ...`: answers an auditor from the audit bucket (the request events themselves)."""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sys
from dataclasses import asdict, fields
from datetime import UTC, datetime, timedelta

import boto3
from botocore.exceptions import BotoCoreError

from jit_access.core.lifecycle import RequestState
from jit_access.core.report import SessionRow, sessions
from jit_access.core.views import plain_reason
from jit_access.edges.store import RequestStore
from jit_access.errors import EdgeError

_SINCE = re.compile(r"^(\d{1,5})d$")
_MAX_DAYS = 36_500
# Characters that make a spreadsheet read a cell as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@")


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    audit = subparsers.add_parser("audit", help="answer an auditor from the audit bucket")
    commands = audit.add_subparsers(dest="audit_command", required=True)
    report = commands.add_parser(
        "sessions", help="one row per access request: who, what, why, approver, how long"
    )
    report.add_argument("--bucket", required=True, help="the audit bucket (module output audit_bucket_name)")
    report.add_argument("--since", default="30d", help="how far back, in days (e.g. 30d); default 30d")
    report.add_argument("--format", choices=["table", "csv", "json"], default="table")
    report.add_argument("--endpoint-url", help="AWS endpoint (for the local stack)")
    report.set_defaults(func=run_sessions)


def load_sessions(store: RequestStore, *, since_days: int, now: datetime) -> list[SessionRow]:
    since = (now - timedelta(days=since_days)).date()
    states = [RequestState.fold(store.read_events(rid)) for rid in store.list_request_ids(since_date=since)]
    return sessions(states, now)


def format_rows(rows: list[SessionRow], fmt: str) -> str:
    if fmt == "json":
        return json.dumps([asdict(row) for row in rows], indent=2)
    names = [f.name for f in fields(SessionRow)]
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=names)
        writer.writeheader()
        writer.writerows({name: _csv_cell(value) for name, value in asdict(row).items()} for row in rows)
        return out.getvalue()
    columns = [
        "requester",
        "account",
        "permission_set",
        "reason",
        "approved_by",
        "started_at",
        "ended_at",
        "duration",
        "outcome",
    ]
    table = [columns] + [[_cell(getattr(row, c)) for c in columns] for row in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(columns))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip() for line in table
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines) + f"\n{len(rows)} session(s)\n"


def _csv_cell(value: object) -> object:
    """Reasons are typed by requesters: a spreadsheet must show them, never run them."""
    if not isinstance(value, str):
        return value
    value = plain_reason(value)
    return "'" + value if value.startswith(_FORMULA_START) else value


def _cell(value: str, limit: int = 40) -> str:
    value = plain_reason(value)
    return value if len(value) <= limit else value[: limit - 1] + "…"


def run_sessions(args: argparse.Namespace) -> int:
    match = _SINCE.match(args.since)
    if not match or int(match[1]) > _MAX_DAYS:
        print(f"--since {args.since!r}: give a number of days up to {_MAX_DAYS}, e.g. 30d", file=sys.stderr)
        return 2
    try:
        store = RequestStore(s3=boto3.client("s3", endpoint_url=args.endpoint_url), bucket=args.bucket)
        rows = load_sessions(store, since_days=int(match[1]), now=datetime.now(UTC))
    except (EdgeError, BotoCoreError, ValueError) as error:
        print(f"cannot read the audit bucket {args.bucket!r}: {error}", file=sys.stderr)
        return 1
    sys.stdout.write(format_rows(rows, args.format))
    return 0
