"""On a 24×7 calendar business time is real elapsed time, also across DST (DOMAIN.md §2.5)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from serval.sla.calendars import (
    TWENTY_FOUR_SEVEN,
    CalendarSpec,
    add_business_time,
    business_seconds_between,
)
from tests.sla.calendar_strategies import durations, instants

# A closed date in 1900 keeps the calendar off the 24×7 fast path, so the general algorithm,
# with its offset-change corrections, is the one being checked.
SLOW = [
    CalendarSpec(time_zone=zone, dates=frozenset({date(1900, 1, 1)}))
    for zone in ("Europe/Berlin", "America/New_York", "Australia/Lord_Howe")
]


@settings(max_examples=300, deadline=None)
@given(spec=st.sampled_from([TWENTY_FOUR_SEVEN, *SLOW]), start=instants, seconds=durations)
def test_adding_is_plain_addition(spec, start, seconds):
    assert add_business_time(start, seconds, spec) == start + timedelta(seconds=seconds)


@settings(max_examples=300, deadline=None)
@given(spec=st.sampled_from([TWENTY_FOUR_SEVEN, *SLOW]), a=instants, b=instants)
def test_measuring_is_plain_subtraction(spec, a, b):
    a, b = sorted((a, b))
    assert business_seconds_between(a, b, spec) == int((b - a).total_seconds())
