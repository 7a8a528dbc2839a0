"""Business-time arithmetic over a plain calendar description: pure functions, no ORM.

A calendar is a time zone, working intervals per weekday in *local wall time* and closed dates
(holidays from the `holidays` package by country and subdivision, one-off dates, yearly dates).
Business time is the set of real instants inside the working intervals of open days; the two
operations measure it (`business_seconds_between`) and walk it (`add_business_time`).

Why it is fast (DOMAIN.md §2.5, issue 3): a normal week holds a fixed number of working seconds,
so whole weeks are added or counted in one step, and only "special" days — closed dates and days
on which the UTC offset changes — are corrected for, one by one. Only the last partial week is
walked day by day; nothing is ever stepped minute by minute.

Why it is right across DST: an interval's ends are local wall times turned into instants with
the calendar's zone, so 08:00–17:00 is nine real hours every day, and 00:00–24:00 is 23 or 25
real hours on the change days. Wall times that do not exist (the spring-forward gap) snap to the
instant the gap ends, which keeps the mapping from wall time to instants monotonic.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

DAY = 86400
US = 1_000_000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HORIZON_DAYS = 366 * 50  # a calendar with no working time in 50 years has none at all

Interval = tuple[int, int]  # local seconds since midnight, [start, end), end <= 86400
Week = tuple[tuple[Interval, ...], ...]  # seven entries, Monday first

ALL_DAY: tuple[Interval, ...] = ((0, DAY),)
ALWAYS_WEEK: Week = (ALL_DAY,) * 7


def normalise_day(intervals: Iterable[Sequence[int]]) -> tuple[Interval, ...]:
    """Sort and merge one weekday's intervals; empty and out-of-range ones are refused."""
    cleaned: list[list[int]] = []
    for start, end in sorted((int(s), int(e)) for s, e in intervals):
        if not 0 <= start < end <= DAY:
            raise ValueError(f"bad interval {start}-{end}")
        if cleaned and start <= cleaned[-1][1]:
            cleaned[-1][1] = max(cleaned[-1][1], end)
        else:
            cleaned.append([start, end])
    return tuple((s, e) for s, e in cleaned)


@dataclass(frozen=True)
class CalendarSpec:
    """Everything the arithmetic needs; hashable, so per-day results can be cached."""

    time_zone: str = "UTC"
    week: Week = ALWAYS_WEEK
    country: str = ""
    subdivision: str = ""
    dates: frozenset[date] = field(default_factory=frozenset)
    yearly: frozenset[tuple[int, int]] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if len(self.week) != 7:
            raise ValueError("a week has seven days")
        week = tuple(normalise_day(d) for d in self.week)
        object.__setattr__(self, "week", week)
        ZoneInfo(self.time_zone)  # raises for an unknown zone
        # Derived values, computed once: the arithmetic reads them on every call, and the hash
        # keys every per-day cache.
        nominal = tuple(sum(e - s for s, e in day) * US for day in week)
        object.__setattr__(self, "_nominal", nominal)
        object.__setattr__(self, "_week_us", sum(nominal))
        object.__setattr__(
            self,
            "_always",
            week == ALWAYS_WEEK and not (self.country or self.dates or self.yearly),
        )
        object.__setattr__(
            self,
            "_hash",
            hash((self.time_zone, week, self.country, self.subdivision, self.dates, self.yearly)),
        )

    def __hash__(self) -> int:
        return self._hash  # type: ignore[attr-defined, no-any-return]

    @property
    def zone(self) -> ZoneInfo:
        return _zone(self.time_zone)

    @property
    def always(self) -> bool:
        """24×7 with nothing closed: business time is wall-clock time."""
        return self._always  # type: ignore[attr-defined, no-any-return]

    @property
    def nominal(self) -> tuple[int, ...]:
        """Working microseconds per weekday on a day without an offset change."""
        return self._nominal  # type: ignore[attr-defined, no-any-return]

    @property
    def week_us(self) -> int:
        return self._week_us  # type: ignore[attr-defined, no-any-return]


TWENTY_FOUR_SEVEN = CalendarSpec()


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


# --- wall time → instants ------------------------------------------------------------------


def _us(dt: datetime) -> int:
    if dt.tzinfo is None:
        raise ValueError("an aware datetime is required")
    return (dt - EPOCH) // timedelta(microseconds=1)


def _dt(us: int) -> datetime:
    return EPOCH + timedelta(microseconds=us)


def _wall_to_us(zone: ZoneInfo, day: date, seconds: int) -> int:
    """The instant of a local wall time; a time in a DST gap maps to the gap's end."""
    wall = datetime(day.year, day.month, day.day, tzinfo=zone) + timedelta(seconds=seconds)
    instant = _us(wall)
    back = _dt(instant).astimezone(zone).replace(tzinfo=None)
    if back == wall.replace(tzinfo=None):
        return instant
    # In a gap. fold=0 used the offset from before the change, so `instant` lies after the
    # change; search back for the change itself (the first valid instant after the gap).
    lo, hi = _us(wall.replace(fold=1)), instant
    lo, hi = min(lo, hi), max(lo, hi)
    offset_hi = _dt(hi).astimezone(zone).utcoffset()
    while hi - lo > US:
        mid = (lo + hi) // 2
        if _dt(mid).astimezone(zone).utcoffset() == offset_hi:
            hi = mid
        else:
            lo = mid
    return hi - hi % US if hi % US else hi


@lru_cache(maxsize=65536)
def _day_spans(spec: CalendarSpec, day: date) -> tuple[tuple[int, int], ...]:
    """The working intervals of `day` as instants (µs since the epoch), ignoring closures."""
    zone = spec.zone
    spans = []
    for start, end in spec.week[day.weekday()]:
        s, e = _wall_to_us(zone, day, start), _wall_to_us(zone, day, end)
        if e > s:
            spans.append((s, e))
    return tuple(spans)


@lru_cache(maxsize=4096)
def _country_holidays(country: str, subdivision: str, year: int) -> frozenset[date]:
    import holidays

    return frozenset(
        holidays.country_holidays(country, subdiv=subdivision or None, years=year).keys()
    )


@lru_cache(maxsize=1024)
def _closed_in_year(spec: CalendarSpec, year: int) -> frozenset[date]:
    closed = {d for d in spec.dates if d.year == year}
    for month, dom in spec.yearly:
        try:
            closed.add(date(year, month, dom))
        except ValueError:  # 29 February in a common year
            continue
    if spec.country:
        closed |= _country_holidays(spec.country, spec.subdivision, year)
    return frozenset(closed)


@lru_cache(maxsize=1024)
def _offset_change_days(zone_name: str, year: int) -> frozenset[date]:
    """Days whose UTC offset at midnight differs from the next midnight's, plus the day after."""
    zone = _zone(zone_name)
    out: set[date] = set()
    day = date(year, 1, 1)
    prev = datetime(year, 1, 1, tzinfo=zone).utcoffset()
    while day.year == year:
        nxt = day + timedelta(days=1)
        offset = datetime(nxt.year, nxt.month, nxt.day, tzinfo=zone).utcoffset()
        if offset != prev:
            out.update((day, nxt))
        prev, day = offset, nxt
    return frozenset(out)


@lru_cache(maxsize=1024)
def _special_in_year(spec: CalendarSpec, year: int) -> tuple[date, ...]:
    return tuple(sorted(_closed_in_year(spec, year) | _offset_change_days(spec.time_zone, year)))


def is_closed(spec: CalendarSpec, day: date) -> bool:
    """A holiday or custom closed date (the weekly pattern aside)."""
    return day in _closed_in_year(spec, day.year)


def working_spans(spec: CalendarSpec, day: date) -> list[tuple[datetime, datetime]]:
    """The working intervals of a local date as UTC datetimes (none on a closed date)."""
    return [(_dt(s), _dt(e)) for s, e in _effective(spec, day)]


@lru_cache(maxsize=131072)
def _effective(spec: CalendarSpec, day: date) -> tuple[tuple[int, int], ...]:
    return () if is_closed(spec, day) else _day_spans(spec, day)


@lru_cache(maxsize=131072)
def _effective_ordinal(spec: CalendarSpec, ordinal: int) -> tuple[tuple[int, int], ...]:
    return _effective(spec, date.fromordinal(ordinal))


def _correction(spec: CalendarSpec, first: date, end: date) -> int:
    """Σ (nominal − actual) working µs over the special days in [first, end)."""
    total = 0
    nominal = spec.nominal
    for year in range(first.year, end.year + 1):
        days = _special_in_year(spec, year)
        lo = bisect_left(days, first) if year == first.year else 0
        hi = bisect_left(days, end) if year == end.year else len(days)
        for day in days[lo:hi]:
            total += nominal[day.weekday()] - sum(e - s for s, e in _effective(spec, day))
    return total


def _full_days_us(spec: CalendarSpec, first: date, count: int) -> int:
    """Working µs in `count` whole local days from `first`: whole weeks in one step."""
    if count <= 0:
        return 0
    weeks, rest = divmod(count, 7)
    nominal = spec.nominal
    wd = first.weekday()
    total = weeks * spec.week_us + sum(nominal[(wd + i) % 7] for i in range(rest))
    return total - _correction(spec, first, first + timedelta(days=count))


def _overlap(spans: Iterable[tuple[int, int]], lo: int, hi: int) -> int:
    return sum(max(0, min(e, hi) - max(s, lo)) for s, e in spans)


# --- the two operations --------------------------------------------------------------------


def business_seconds_between(a: datetime, b: datetime, spec: CalendarSpec) -> int:
    """Whole working seconds in [a, b); 0 when b is not after a."""
    return business_us_between(a, b, spec) // US


def business_us_between(a: datetime, b: datetime, spec: CalendarSpec) -> int:
    """Working microseconds in [a, b), exact; 0 when b is not after a."""
    ta, tb = _us(a), _us(b)
    if tb <= ta:
        return 0
    if spec.always:
        return tb - ta
    zone = spec.zone
    da, db = a.astimezone(zone).toordinal(), b.astimezone(zone).toordinal()
    if da == db:
        return _overlap(_effective_ordinal(spec, da), ta, tb)
    total = _overlap(_effective_ordinal(spec, da), ta, tb) + _overlap(
        _effective_ordinal(spec, db), ta, tb
    )
    if db - da < 2:
        return total
    return total + _full_days_us(spec, date.fromordinal(da + 1), db - da - 1)


def add_business_time(start: datetime, seconds: float, spec: CalendarSpec) -> datetime:
    """The instant at which `seconds` of working time have passed since `start`.

    The result always lies inside a working interval or at its end; 0 seconds returns `start`.
    Raises ValueError for a calendar without working time.
    """
    remaining = round(seconds * US)
    if remaining < 0:
        raise ValueError("seconds must not be negative")
    if remaining == 0:
        return start
    t = _us(start)
    if spec.always:
        return _dt(t + remaining)
    week_us = spec.week_us
    if week_us == 0:
        raise ValueError("the calendar has no working time")
    # Days as ordinals: the walk below is the hot loop of every deadline computation.
    day = start.astimezone(spec.zone).toordinal()
    limit = day + HORIZON_DAYS
    for s, e in _effective_ordinal(spec, day):
        lo = max(s, t)
        if e > lo:
            if remaining <= e - lo:
                return _dt(lo + remaining)
            remaining -= e - lo
    day += 1
    while day < limit:
        weeks = (remaining - 1) // week_us
        while weeks > 0:
            end = day + 7 * weeks
            after = (
                remaining
                - weeks * week_us
                + _correction(spec, date.fromordinal(day), date.fromordinal(end))
            )
            if after > 0:
                remaining, day = after, end
                break
            # Long days (autumn DST) in the skipped range overshot the target: skip less.
            weeks -= max(1, -after // week_us + 1)
        else:
            weeks = -1
        if weeks > 0:
            continue
        for s, e in _effective_ordinal(spec, day):
            if remaining <= e - s:
                return _dt(s + remaining)
            remaining -= e - s
        day += 1
    raise ValueError("the calendar has no working time in the next 50 years")


def hhmm_to_seconds(value: str) -> int:
    """ "08:30" → 30600; "24:00" is the end of the day."""
    hours, _, minutes = value.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise ValueError(f"not a time: {value!r}")
    total = int(hours) * 3600 + int(minutes) * 60
    if not 0 <= total <= DAY or int(minutes) >= 60:
        raise ValueError(f"not a time: {value!r}")
    return total


def seconds_to_hhmm(value: int) -> str:
    return f"{value // 3600:02d}:{value % 3600 // 60:02d}"


def week_from_json(raw: dict[str, list[list[str]]]) -> Week:
    """{"mon": [["08:00", "12:00"], ["13:00", "17:00"]], …} → the spec's week."""
    return tuple(
        normalise_day((hhmm_to_seconds(s), hhmm_to_seconds(e)) for s, e in raw.get(name, []))
        for name in WEEKDAYS
    )


def week_to_json(week: Week) -> dict[str, list[list[str]]]:
    return {
        name: [[seconds_to_hhmm(s), seconds_to_hhmm(e)] for s, e in day]
        for name, day in zip(WEEKDAYS, week, strict=True)
    }
