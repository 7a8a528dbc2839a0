"""A recurrence must stay bounded (DOMAIN.md §2.3 "Schedule"): sub-daily frequencies, times of
day in the rule, more than one occurrence a day, unbounded COUNT or far UNTIL, and rules whose
first occurrence is not the window's start are refused with a field error; nothing is saved."""

from __future__ import annotations

from datetime import timedelta

import pytest

from serval.changes.models import ChangeWindow
from serval.core.errors import ValidationFailed
from tests.changes.schedule.conftest import day, make_window

BAD = [
    "FREQ=MINUTELY",
    "FREQ=HOURLY",
    "FREQ=DAILY;BYHOUR=1,2,3",
    "FREQ=DAILY;COUNT=100000",
    "FREQ=DAILY;UNTIL=20991231T000000Z",
    "FREQ=DAILY;COUNT=3;UNTIL=20271231T000000Z",
    "FREQ=WEEKLY;INTERVAL=0",
    "FREQ=WEEKLY;BYDAY=XX",
    "FREQ=YEARLY;BYMONTH=13",
    "FREQ=WEEKLY;FREQ=DAILY",
    "FREQ=DAILY\nRDATE:20270101",
    "DTSTART:20270101T000000Z",
    "nonsense",
]


@pytest.mark.parametrize("rule", BAD)
def test_an_exploding_or_malformed_rule_is_refused(world, rule):
    with pytest.raises(ValidationFailed) as exc:
        make_window(world.manager, rrule=rule)
    assert "rrule" in exc.value.as_dict()
    assert not ChangeWindow.objects.exists()


def test_a_start_that_is_not_the_rules_first_occurrence_is_refused(world):
    monday = day(10, 22)
    while monday.weekday() != 0:
        monday += timedelta(days=1)
    with pytest.raises(ValidationFailed) as exc:
        make_window(
            world.manager,
            starts_at=monday,
            ends_at=monday + timedelta(hours=2),
            rrule="FREQ=WEEKLY;BYDAY=SU",
        )
    assert "first occurrence" in exc.value.as_dict()["rrule"]


def test_a_rule_is_stored_in_canonical_form_with_until_in_utc(world):
    start = day(10, 22)
    until = (start + timedelta(days=60)).strftime("%Y%m%d")
    made = make_window(
        world.manager,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        rrule=f"rrule:until={until};freq=daily",
        time_zone="Europe/Berlin",
    )
    assert made.rrule.startswith("FREQ=DAILY;UNTIL=") and made.rrule.endswith("Z")


def test_ends_before_start_and_no_scope_are_refused(world):
    start = day(10, 22)
    with pytest.raises(ValidationFailed) as exc:
        make_window(world.manager, starts_at=start, ends_at=start - timedelta(hours=1))
    assert "ends_at" in exc.value.as_dict()
    with pytest.raises(ValidationFailed) as exc:
        make_window(world.manager, is_global=False)
    assert "is_global" in exc.value.as_dict()
