"""Holidays by country and subdivision, one-off and yearly closures are not working time.

DOMAIN.md §2.5 "Business calendars": holiday/exclusion entries (date, optional yearly
recurrence, per region).
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from serval.sla.calendars import CalendarSpec, add_business_time, business_seconds_between
from serval.sla.calendars import week_from_json as week

BERLIN = ZoneInfo("Europe/Berlin")
WORKDAYS = week(
    {d: [["08:00", "12:00"], ["13:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
)


def test_bavarian_epiphany_is_skipped_but_not_in_berlin():
    bavaria = CalendarSpec(time_zone="Europe/Berlin", week=WORKDAYS, country="DE", subdivision="BY")
    berlin = CalendarSpec(time_zone="Europe/Berlin", week=WORKDAYS, country="DE", subdivision="BE")
    start = datetime(2026, 1, 5, 16, tzinfo=BERLIN)  # Monday; 6 January is a Tuesday
    assert add_business_time(start, 2 * 3600, bavaria) == datetime(2026, 1, 7, 9, tzinfo=BERLIN)
    assert add_business_time(start, 2 * 3600, berlin) == datetime(2026, 1, 6, 9, tzinfo=BERLIN)


def test_christmas_and_new_year_close_the_office():
    spec = CalendarSpec(time_zone="Europe/Berlin", week=WORKDAYS, country="DE")
    start = datetime(2026, 12, 24, 8, tzinfo=BERLIN)  # Thursday; 25th and 26th are holidays
    due = add_business_time(start, 8 * 3600 * 2, spec)  # two working days
    assert due == datetime(2026, 12, 28, 17, tzinfo=BERLIN)


def test_custom_one_off_and_yearly_dates_are_closed():
    spec = CalendarSpec(
        time_zone="Europe/Berlin",
        week=WORKDAYS,
        dates=frozenset({date(2026, 6, 3)}),
        yearly=frozenset({(6, 4)}),
    )
    start = datetime(2026, 6, 2, 8, tzinfo=BERLIN)  # Tuesday
    end = datetime(2026, 6, 6, 0, tzinfo=BERLIN)
    assert business_seconds_between(start, end, spec) == 2 * 8 * 3600  # Tue + Fri
    assert (
        business_seconds_between(
            datetime(2027, 6, 4, 8, tzinfo=BERLIN), datetime(2027, 6, 4, 17, tzinfo=BERLIN), spec
        )
        == 0
    )


def test_a_two_interval_day_skips_the_lunch_break():
    spec = CalendarSpec(time_zone="Europe/Berlin", week=WORKDAYS)
    start = datetime(2026, 6, 2, 11, tzinfo=BERLIN)
    assert add_business_time(start, 2 * 3600, spec) == datetime(2026, 6, 2, 14, tzinfo=BERLIN)
