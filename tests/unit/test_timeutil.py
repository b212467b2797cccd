from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jit_access.core.timeutil import (
    format_duration,
    iso,
    parse_duration,
    parse_schedule_expression,
    schedule_expression,
)


@pytest.mark.parametrize(
    ("text", "minutes"), [("30m", 30), ("1h", 60), ("1h30m", 90), ("8h", 480), ("90m", 90)]
)
def test_durations_people_write_are_understood(text, minutes):
    assert parse_duration(text) == timedelta(minutes=minutes)


@pytest.mark.parametrize("text", ["", "0m", "1d", "h", "1.5h", "-1h", "1 h", "30"])
def test_malformed_durations_are_refused_with_the_accepted_forms(text):
    with pytest.raises(ValueError, match=r"such as 30m, 2h or 1h30m|longer than zero"):
        parse_duration(text)


@given(st.integers(min_value=1, max_value=60 * 24 * 7))
def test_format_and_parse_are_inverse(minutes):
    assert parse_duration(format_duration(timedelta(minutes=minutes))) == timedelta(minutes=minutes)


def test_schedule_expression_is_utc_whole_seconds_and_never_early():
    local = datetime(2026, 12, 4, 12, 0, 0, 250_000, tzinfo=timezone(timedelta(hours=1)))
    expression = schedule_expression(local)
    assert expression == "at(2026-12-04T11:00:01)"
    assert parse_schedule_expression(expression) >= local


def test_iso_is_utc_with_z():
    assert iso(datetime(2026, 1, 2, 3, 4, 5, 999, tzinfo=UTC)) == "2026-01-02T03:04:05Z"


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="naive"):
        schedule_expression(datetime(2026, 1, 1))
