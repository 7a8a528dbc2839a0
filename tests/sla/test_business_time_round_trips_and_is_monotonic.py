"""Adding business time and measuring it are inverses, and adding more never ends earlier.

DOMAIN.md §2.5 "Business calendars": breach time = walk forward from start consuming working
seconds; elapsed business time is the same measure read the other way.
"""

from __future__ import annotations

from datetime import timedelta

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from serval.sla.calendars import (
    add_business_time,
    business_seconds_between,
    working_spans,
)
from tests.sla.calendar_strategies import durations, instants, specs


def fits(spec, seconds: int) -> bool:
    """Within 40 years of working time (the arithmetic gives up after 50)."""
    return seconds * 1_000_000 <= spec.week_us * 52 * 40


@settings(max_examples=300, deadline=None)
@given(spec=specs(), start=instants, seconds=durations)
def test_measuring_what_was_added_gives_it_back(spec, start, seconds):
    assume(fits(spec, seconds))
    end = add_business_time(start, seconds, spec)
    assert end > start
    assert business_seconds_between(start, end, spec) == seconds


@settings(max_examples=200, deadline=None)
@given(spec=specs(), start=instants, a=durations, b=durations)
def test_more_business_time_never_ends_earlier(spec, start, a, b):
    small, large = sorted((a, b))
    assume(fits(spec, large))
    assert add_business_time(start, small, spec) <= add_business_time(start, large, spec)


@settings(max_examples=300, deadline=None)
@given(spec=specs(), start=instants, seconds=durations)
def test_the_result_is_inside_a_working_interval_or_at_its_end(spec, start, seconds):
    assume(fits(spec, seconds))
    end = add_business_time(start, seconds, spec)
    local = end.astimezone(spec.zone).date()
    spans = working_spans(spec, local) + working_spans(spec, local - timedelta(days=1))
    assert any(s < end <= e for s, e in spans)


@settings(max_examples=200, deadline=None)
@given(spec=specs(), a=instants, b=instants, c=instants)
def test_measures_add_up_over_consecutive_spans(spec, a, b, c):
    a, b, c = sorted((a, b, c))
    from serval.sla.calendars import business_us_between

    assert business_us_between(a, c, spec) == business_us_between(a, b, spec) + business_us_between(
        b, c, spec
    )


@settings(max_examples=100, deadline=None)
@given(spec=specs(), start=instants, seconds=st.integers(1, 3600 * 24 * 5))
def test_nothing_is_measured_backwards(spec, start, seconds):
    assert business_seconds_between(start + timedelta(seconds=seconds), start, spec) == 0
