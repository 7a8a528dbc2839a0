"""SECURITY-REFERENCE A5 and C3: an export holds only what the page would show, as inert text."""

import csv
import io

from django.urls import reverse

from tests import factories as f


def _rows(response):
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


def test_export_follows_the_filters(client, world):
    f.make_incident(world.agent, title="Printer jam", impact=1, urgency=1)
    f.make_incident(world.agent, title="Slow laptop")
    client.force_login(world.agent)
    response = client.get(reverse("incident-export"), {"priority": 1})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert [r["title"] for r in _rows(response)] == ["Printer jam"]


def test_export_never_contains_another_tenants_or_organizations_items(client, world):
    f.make_incident(world.outsider_agent, title="Other tenant secret")
    f.make_incident(world.requester_other_org, title="Other org secret")
    f.make_incident(world.requester, title="Mine")
    client.force_login(world.requester)
    titles = [r["title"] for r in _rows(client.get(reverse("incident-export")))]
    assert titles == ["Mine"]


def test_formulas_in_titles_are_exported_as_text(client, world):
    f.make_incident(world.agent, title='=HYPERLINK("http://evil")')
    client.force_login(world.agent)
    rows = _rows(client.get(reverse("incident-export")))
    assert rows[0]["title"].startswith("'=")


def test_export_needs_a_login(client, world):
    response = client.get(reverse("incident-export"))
    assert response.status_code == 302
