"""Time arithmetic: durations, end times, schedule expressions. Pure; every time is timezone-aware UTC."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

_DURATION = re.compile(r"^(?:(?P<h>\d{1,3})h)?(?:(?P<m>\d{1,4})m)?$")


def parse_duration(text: str) -> timedelta:
    """`30m`, `1h`, `1h30m` → timedelta. Anything else, or zero, is a ValueError saying what is accepted."""
    match = _DURATION.match(text.strip()) if text else None
    if not match or not (match["h"] or match["m"]):
        raise ValueError(f'"{text}" is not a duration such as 30m, 2h or 1h30m')
    duration = timedelta(hours=int(match["h"] or 0), minutes=int(match["m"] or 0))
    if duration <= timedelta(0):
        raise ValueError(f'"{text}" is no time at all: a duration must be longer than zero')
    return duration


def format_duration(duration: timedelta) -> str:
    """timedelta → `1h30m` (whole minutes; the inverse of parse_duration)."""
    minutes = int(duration.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    return (f"{hours}h" if hours else "") + (f"{minutes}m" if minutes or not hours else "")


def utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: every time in jit-access is timezone-aware UTC")
    return moment.astimezone(UTC)


def iso(moment: datetime) -> str:
    """UTC ISO 8601 with a Z and whole seconds, the form used in every audit record."""
    return utc(moment).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return utc(moment)


def schedule_expression(moment: datetime) -> str:
    """EventBridge Scheduler one-time expression in UTC whole seconds, rounded up so it never fires early."""
    moment = utc(moment)
    if moment.microsecond:
        moment = moment.replace(microsecond=0) + timedelta(seconds=1)
    return f"at({moment.strftime('%Y-%m-%dT%H:%M:%S')})"


def parse_schedule_expression(expression: str) -> datetime:
    match = re.fullmatch(r"at\((\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\)", expression)
    if not match:
        raise ValueError(f"not a one-time schedule expression: {expression!r}")
    return datetime.fromisoformat(match[1]).replace(tzinfo=UTC)
