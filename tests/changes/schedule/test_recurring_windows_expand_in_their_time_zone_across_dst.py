"""Recurring windows are RFC 5545 RRULEs expanded in the window's own time zone (DOMAIN.md §2.3
"Schedule"; DESIGN.md §2 rule 5: calendar math is pure functions with property tests): every
occurrence starts at the same local wall time — across daylight-saving changes — and lasts
exactly `ends_at − starts_at`; the expansion returns every occurrence meeting the span, in
order, and never more than its limit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from serval.changes import windows

ZONES = ["Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "UTC"]


def _exists(local: datetime) -> bool:
    """The wall time exists in its zone (it is not in the hour skipped in spring)."""
    back = local.astimezone(UTC).astimezone(local.tzinfo)
    return back.replace(tzinfo=None) == local.replace(tzinfo=None)


@settings(max_examples=120, deadline=None)
@given(
    zone_name=st.sampled_from(ZONES),
    day=st.dates(min_value=datetime(2026, 1, 1).date(), max_value=datetime(2028, 12, 31).date()),
    hour=st.integers(0, 23),
    minutes=st.integers(15, 24 * 60),
    freq=st.sampled_from(
        ["DAILY", "WEEKLY", "MONTHLY", "DAILY;INTERVAL=3", "WEEKLY;INTERVAL=2;BYDAY=MO,TH"]
    ),
    span_days=st.integers(1, 366),
    offset_days=st.integers(0, 400),
)
def test_occurrences_keep_their_local_start_and_their_length(
    zone_name, day, hour, minutes, freq, span_days, offset_days
):
    tz = ZoneInfo(zone_name)
    starts_at = datetime(day.year, day.month, day.day, hour, tzinfo=tz)
    if freq == "MONTHLY" and day.day > 28:
        starts_at = starts_at.replace(day=28)
    if "BYDAY" in freq:
        while starts_at.weekday() not in (0, 3):
            starts_at += timedelta(days=1)
    if not _exists(starts_at):
        starts_at += timedelta(hours=1)
    ends_at = starts_at + timedelta(minutes=minutes)
    rule = windows.normalize_rule(f"FREQ={freq}", starts_at=starts_at, time_zone=zone_name)
    span_start = starts_at.astimezone(UTC) + timedelta(days=offset_days)
    span_end = span_start + timedelta(days=span_days)
    found = windows.expand(
        starts_at=starts_at,
        ends_at=ends_at,
        rrule=rule,
        time_zone=zone_name,
        start=span_start,
        end=span_end,
    )
    assert len(found) <= windows.MAX_OCCURRENCES
    assert [o.starts_at for o in found] == sorted({o.starts_at for o in found})
    wall = starts_at.replace(tzinfo=None).time()
    for occurrence in found:
        assert occurrence.ends_at - occurrence.starts_at == ends_at - starts_at
        assert occurrence.starts_at < span_end and occurrence.ends_at > span_start
        local = occurrence.starts_at.astimezone(tz)
        if _exists(local.replace(hour=wall.hour, minute=wall.minute)):
            assert local.time() == wall
    # The same as walking the rule from its very first occurrence (the expansion skips ahead).
    from dateutil.rrule import rrulestr

    reference = [
        o.astimezone(UTC)
        for o in rrulestr(rule, dtstart=starts_at).between(
            (span_start - (ends_at - starts_at)).astimezone(tz),
            span_end.astimezone(tz),
            inc=True,
        )
    ]
    reference = [r for r in reference if r < span_end and r + (ends_at - starts_at) > span_start]
    assert [o.starts_at for o in found] == reference
    if freq == "DAILY":  # plain daily
        # Every local day whose occurrence meets the span is there: none is skipped.
        expected = span_days + (1 if minutes > 0 else 0)
        assert expected - 2 <= len(found) <= expected + 2


def test_a_weekly_window_stays_at_one_in_the_morning_through_the_spring_change():
    berlin = ZoneInfo("Europe/Berlin")
    starts_at = datetime(2026, 3, 15, 1, 0, tzinfo=berlin)  # a Sunday, winter time
    found = windows.expand(
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=4),
        rrule="FREQ=WEEKLY",
        time_zone="Europe/Berlin",
        start=datetime(2026, 3, 1, tzinfo=UTC),
        end=datetime(2026, 4, 10, tzinfo=UTC),
    )
    assert [o.starts_at.astimezone(berlin).hour for o in found] == [1, 1, 1, 1]
    assert [o.starts_at.hour for o in found] == [0, 0, 0, 23]  # 29 March 01:00 is still winter time
    assert all(o.ends_at - o.starts_at == timedelta(hours=4) for o in found)


def test_a_one_off_window_is_its_own_single_occurrence():
    a = datetime(2026, 6, 1, 22, tzinfo=UTC)
    kwargs = dict(starts_at=a, ends_at=a + timedelta(hours=2), rrule="", time_zone="UTC")
    assert (
        len(windows.expand(**kwargs, start=a - timedelta(days=1), end=a + timedelta(days=1))) == 1
    )
    assert windows.expand(**kwargs, start=a + timedelta(hours=2), end=a + timedelta(days=1)) == []


def test_the_expansion_stops_at_its_limit():
    a = datetime(2026, 1, 1, 3, tzinfo=UTC)
    found = windows.expand(
        starts_at=a,
        ends_at=a + timedelta(hours=1),
        rrule="FREQ=DAILY",
        time_zone="UTC",
        start=a,
        end=a + timedelta(days=366),
        limit=10,
    )
    assert len(found) == 10
