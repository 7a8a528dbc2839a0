"""iCalendar feeds of the change schedule and of the windows (issue 5; INTEGRATIONS-REFERENCE
§6; SECURITY-REFERENCE A7): RFC 5545 documents that the `icalendar` package parses, behind a
per-person URL with an HMAC key — no login needed; forged or rotated keys are 404; the feed shows
only what its owner may see; stable UIDs, SEQUENCE from the change's version, STATUS by state,
recurring windows as RRULE in their own time zone."""

from __future__ import annotations

import re

import icalendar
import pytest
from django.test import Client

from serval.changes import actions, feeds
from serval.changes.models import CalendarFeed
from serval.work.models import WorkItem
from tests import factories as f
from tests.changes.conftest import make_change
from tests.changes.schedule.conftest import day, make_window


def _urls(user) -> dict[str, str]:
    client = Client()
    client.login(username=user.username, password=f.PASSWORD)
    html = client.get("/changes/calendar/feeds/").content.decode()
    found = dict(re.findall(r'id="feed-(changes|windows)" value="([^"]+)"', html))
    return {k: v.replace("http://testserver", "").replace("&amp;", "&") for k, v in found.items()}


def _parse(response) -> icalendar.Calendar:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"].startswith("private")
    return icalendar.Calendar.from_ical(response.content)


def _events(doc) -> dict[str, icalendar.Event]:
    return {str(e["uid"]): e for e in doc.walk("VEVENT")}


def test_the_change_feed_parses_with_stable_uids_sequence_and_status(world, estate):
    change = make_change(world.agent, cis=(estate.server,), title="Patch the kernel")
    urls = _urls(world.agent)
    doc = _parse(Client().get(urls["changes"]))  # no session: calendar clients cannot log in
    assert str(doc["version"]) == "2.0" and "Serval" in str(doc["prodid"])
    event = _events(doc)[f"change-{change.pk}@serval"]
    assert str(event["summary"]) == f"{change.number} Patch the kernel"
    assert str(event["status"]) == "TENTATIVE"
    assert int(event["sequence"]) == WorkItem.objects.get(pk=change.pk).version
    assert event.decoded("dtstamp") is not None and event.decoded("dtstart")

    actions.transition_change(actor=world.agent, item=change, to="assess")  # no policy
    event = _events(_parse(Client().get(urls["changes"])))[f"change-{change.pk}@serval"]
    assert str(event["status"]) == "CONFIRMED"
    assert int(event["sequence"]) == WorkItem.objects.get(pk=change.pk).version
    actions.transition_change(
        actor=world.agent,
        item=WorkItem.objects.get(pk=change.pk),
        to="cancelled",
        cancel_reason="Not needed.",
    )
    event = _events(_parse(Client().get(urls["changes"])))[f"change-{change.pk}@serval"]
    assert str(event["status"]) == "CANCELLED"


def test_the_window_feed_sends_recurring_windows_as_rrules_in_their_zone(world):
    start = day(10, 2).replace(tzinfo=None)
    from zoneinfo import ZoneInfo

    local = start.replace(tzinfo=ZoneInfo("Europe/Berlin"))
    from datetime import timedelta

    window = make_window(
        world.manager,
        kind="maintenance",
        name="Patch night",
        starts_at=local,
        ends_at=local + timedelta(hours=4),
        rrule="FREQ=WEEKLY;COUNT=10",
        time_zone="Europe/Berlin",
    )
    doc = _parse(Client().get(_urls(world.agent)["windows"]))
    event = _events(doc)[f"window-{window.pk}@serval"]
    assert "Patch night" in str(event["summary"])
    assert event["rrule"]["FREQ"] == ["WEEKLY"] and event["rrule"]["COUNT"] == [10]
    assert event["dtstart"].params["TZID"] == "Europe/Berlin"
    assert event.decoded("dtstart").replace(tzinfo=None) == start
    assert [str(tz["tzid"]) for tz in doc.walk("VTIMEZONE")] == ["Europe/Berlin"]


def test_filters_in_the_feed_url_narrow_it(world, estate):
    mine = make_change(world.agent, assignment_group=world.team.pk)
    theirs = make_change(world.agent2, assignment_group=world.team2.pk)
    url = _urls(world.agent)["changes"] + f"?team={world.team.pk}"
    uids = set(_events(_parse(Client().get(url))))
    assert f"change-{mine.pk}@serval" in uids and f"change-{theirs.pk}@serval" not in uids


@pytest.mark.parametrize(
    "mangle",
    [
        lambda url: url.replace(url.split("/")[-2], "0" * 40),  # forged key
        lambda url: url.replace(url.split("/")[-2], "short"),
        lambda url: re.sub(r"/feed/\d+/", "/feed/999999/", url),  # someone else's id
    ],
)
def test_forged_keys_are_404(world, mangle):
    url = _urls(world.agent)["changes"]
    assert Client().get(mangle(url)).status_code == 404


def test_rotating_revokes_the_old_url(world):
    old = _urls(world.agent)["changes"]
    client = Client()
    client.login(username=world.agent.username, password=f.PASSWORD)
    assert client.post("/changes/calendar/feeds/").status_code == 302
    assert Client().get(old).status_code == 404
    assert Client().get(_urls(world.agent)["changes"]).status_code == 200


def test_the_feed_shows_only_what_its_owner_may_see(world, estate):
    make_change(world.agent, cis=(estate.server,))
    make_window(world.manager)
    outsider = _urls(world.outsider_agent)
    assert _events(_parse(Client().get(outsider["changes"]))) == {}
    assert _events(_parse(Client().get(outsider["windows"]))) == {}


def test_a_person_who_is_no_longer_an_agent_loses_the_feed(world):
    from serval.people.models import User

    url = _urls(world.agent)["changes"]
    User.objects.filter(pk=world.agent.pk).update(role="requester")
    assert Client().get(url).status_code == 404
    assert CalendarFeed.objects.filter(user=world.agent).exists()
    assert feeds.feed_owner(world.agent.pk, "x" * 40) is None


def test_requesters_have_no_feed_page(world):
    client = Client()
    client.login(username=world.requester.username, password=f.PASSWORD)
    assert client.get("/changes/calendar/feeds/").status_code == 404
