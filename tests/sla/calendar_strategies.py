"""Hypothesis strategies for business calendars (shared by the property tests)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import strategies as st

from serval.sla.calendars import DAY, CalendarSpec, normalise_day

ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata"]


@st.composite
def days(draw: st.DrawFn) -> tuple[tuple[int, int], ...]:
    """0–3 intervals on a quarter-hour grid, sometimes touching midnight or DST hours."""
    points = sorted(draw(st.sets(st.integers(0, 96), max_size=6)))
    pairs = [(points[i] * 900, points[i + 1] * 900) for i in range(0, len(points) - 1, 2)]
    return normalise_day((s, min(e, DAY)) for s, e in pairs if e > s)


@st.composite
def specs(draw: st.DrawFn) -> CalendarSpec:
    week = tuple(draw(days()) for _ in range(7))
    if not any(week):
        week = (((8 * 3600, 17 * 3600),),) + week[1:]
    country = draw(st.sampled_from(["", "", "DE", "US"]))
    return CalendarSpec(
        time_zone=draw(st.sampled_from(ZONES)),
        week=week,
        country=country,
        subdivision="BY" if country == "DE" else "",
        dates=frozenset(draw(st.sets(st.dates(date(2025, 1, 1), date(2027, 12, 31)), max_size=5))),
        yearly=frozenset(
            draw(st.sets(st.tuples(st.integers(1, 12), st.integers(1, 28)), max_size=3))
        ),
    )


instants = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
)
durations = st.integers(min_value=1, max_value=60 * DAY)


def step(dt: datetime, seconds: int) -> datetime:
    return dt + timedelta(seconds=seconds)
