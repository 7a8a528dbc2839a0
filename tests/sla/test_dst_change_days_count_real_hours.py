"""Working intervals are local wall times, so DST change days have their real length.

DOMAIN.md §2.5: calendars carry a time zone; 08:00–17:00 stays 08:00–17:00 local all year.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from serval.sla.calendars import (
    CalendarSpec,
    add_business_time,
    business_seconds_between,
    week_from_json,
)

NIGHT_SHIFT = {d: [["00:00", "06:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
OFFICE = {d: [["08:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}

CASES = [
    # zone, spring-forward day, fall-back day
    ("Europe/Berlin", date(2026, 3, 29), date(2026, 10, 25)),
    ("America/New_York", date(2026, 3, 8), date(2026, 11, 1)),
]


@pytest.mark.parametrize(("zone", "spring", "fall"), CASES)
def test_a_night_shift_is_an_hour_shorter_in_spring_and_longer_in_autumn(zone, spring, fall):
    spec = CalendarSpec(time_zone=zone, week=week_from_json(NIGHT_SHIFT))
    tz = ZoneInfo(zone)

    def shift(day: date) -> int:
        start = datetime(day.year, day.month, day.day, tzinfo=tz)
        end = datetime(day.year, day.month, day.day, 12, tzinfo=tz)
        return business_seconds_between(start, end, spec)

    assert shift(spring) == 5 * 3600
    assert shift(fall) == 7 * 3600
    assert shift(date(2026, 6, 1)) == 6 * 3600


@pytest.mark.parametrize(("zone", "spring", "fall"), CASES)
def test_office_hours_keep_their_local_start_after_the_change(zone, spring, fall):
    spec = CalendarSpec(time_zone=zone, week=week_from_json(OFFICE))
    tz = ZoneInfo(zone)
    for day in (spring, fall):
        eve = day - timedelta(days=1)
        before = datetime(eve.year, eve.month, eve.day, 16, tzinfo=tz)
        due = add_business_time(before, 2 * 3600, spec).astimezone(tz)
        assert (due.day, due.hour, due.minute) == (day.day, 9, 0)


def test_the_spring_gap_is_not_working_time():
    spec = CalendarSpec(
        time_zone="Europe/Berlin",
        week=week_from_json({d: [["01:00", "02:30"], ["02:45", "05:00"]] for d in ("sun",)}),
    )
    tz = ZoneInfo("Europe/Berlin")
    start = datetime(2026, 3, 29, tzinfo=tz)
    end = datetime(2026, 3, 29, 6, tzinfo=tz)
    # 01:00–02:00 exists (1 h), 02:00–03:00 does not, 03:00–05:00 exists (2 h).
    assert business_seconds_between(start, end, spec) == 3 * 3600
