"""Strict checks of the identifiers that reach the edges from outside (Slack buttons are hostile input)."""

from __future__ import annotations

import re
from datetime import date, datetime

from jit_access.core.lifecycle import is_request_id

_SLOT = re.compile(r"[0-9]{2}-[A-Za-z0-9_-]{1,100}")


def check_request_id(value: object) -> str:
    """The request id unchanged, or ValueError: `YYYYMMDDTHHMMSSZ-xxxxxxxx` with a real UTC date and time."""
    if not isinstance(value, str) or not is_request_id(value):
        raise ValueError(f"not a request id (YYYYMMDDTHHMMSSZ-xxxxxxxx): {str(value)[:80]!r}")
    try:
        datetime.strptime(value[:16], "%Y%m%dT%H%M%SZ")
    except ValueError:
        raise ValueError(f"not a request id (no such date and time): {value!r}") from None
    return value


def request_date(request_id: str) -> date:
    """The UTC creation date a request id carries, which names its audit partition."""
    return datetime.strptime(check_request_id(request_id)[:8], "%Y%m%d").date()


def check_slot(value: object) -> str:
    """An event slot such as `00-requested` or `10-approval-U123`, or ValueError."""
    if not isinstance(value, str) or not _SLOT.fullmatch(value):
        raise ValueError(
            f"not an event slot (two digits, a dash, letters/digits/dashes): {str(value)[:80]!r}"
        )
    return value
