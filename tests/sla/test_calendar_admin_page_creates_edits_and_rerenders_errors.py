"""The calendar page writes through serval.sla.actions: zone, several intervals a day, holidays
by country and region, closed dates one-off and yearly (DOMAIN.md §2.5; issue 3). Bad input
re-renders the form with what was typed and writes nothing (DESIGN.md rule 1)."""

from datetime import date

from django.test import Client

from serval.core.models import JournalEvent
from serval.sla.models import BusinessCalendar

GOOD = {
    "name": "Berlin desk",
    "time_zone": "Europe/Berlin",
    "week_mon": "08:00–12:00, 13:00-17:00",
    "week_tue": "08:00-17:00",
    "week_wed": "",
    "week_thu": "",
    "week_fri": "9:00 - 15:00",
    "week_sat": "",
    "week_sun": "",
    "country": "de",
    "subdivision": "by",
    "closed_dates": "2026-12-24 yearly Christmas Eve\n2026-06-05 Office move",
}


def _admin(world):
    client = Client()
    client.force_login(world.admin)
    return client


def test_create_then_edit_a_calendar(world):
    client = _admin(world)
    response = client.post("/sla/calendars/new", GOOD)
    assert response.status_code == 302
    calendar = BusinessCalendar.objects.get(name="Berlin desk")
    assert calendar.time_zone == "Europe/Berlin"
    assert calendar.week["mon"] == [["08:00", "12:00"], ["13:00", "17:00"]]
    assert calendar.week["fri"] == [["09:00", "15:00"]]
    assert calendar.week.get("wed", []) == []
    assert (calendar.country, calendar.subdivision) == ("DE", "BY")
    closed = {(c.date, c.yearly, c.name) for c in calendar.closed_dates.all()}
    assert closed == {
        (date(2026, 12, 24), True, "Christmas Eve"),
        (date(2026, 6, 5), False, "Office move"),
    }

    page = client.get(f"/sla/calendars/{calendar.pk}/").content.decode()
    assert "08:00–12:00, 13:00–17:00" in page and "2026-12-24 yearly Christmas Eve" in page
    edited = {**GOOD, "week_wed": "10:00-11:00", "closed_dates": "", "version": calendar.version}
    assert client.post(f"/sla/calendars/{calendar.pk}/", edited).status_code == 302
    calendar.refresh_from_db()
    assert calendar.week["wed"] == [["10:00", "11:00"]]
    assert not calendar.closed_dates.exists()
    assert (
        JournalEvent.objects.filter(subject_type="sla_calendar", subject_id=calendar.pk).count()
        == 2
    )


def test_bad_intervals_zone_and_country_rerender_and_write_nothing(world):
    client = _admin(world)
    before = BusinessCalendar.objects.count()
    bad = {**GOOD, "week_mon": "17:00-08:00", "week_tue": "lunch", "closed_dates": "someday"}
    response = client.post("/sla/calendars/new", bad)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Each interval must end after it starts." in html
    assert "Write intervals like" in html
    assert "start with a date like 2026-12-24" in html
    assert 'value="lunch"' in html  # what was typed is kept
    unknown_country = client.post("/sla/calendars/new", {**GOOD, "country": "XX"})
    assert "Holidays for this country or region are not known." in unknown_country.content.decode()
    assert client.post("/sla/calendars/new", {**GOOD, "time_zone": "Mars/Base"}).status_code == 200
    assert BusinessCalendar.objects.count() == before
