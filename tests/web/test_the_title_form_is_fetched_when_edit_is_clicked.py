"""Issue 6: the incident page drew its title and description form — the whole description again
in a textarea — on every view, though most views never open it. The page now holds an empty
form that app.js fills from `/incidents/<number>/text/form` when "Edit" is first clicked. The
fetched fields must carry the version the page holds (someone else's change is still refused
as stale), only people who may edit the item get them, and a form that came back with errors
is still drawn in place, open."""

from __future__ import annotations

import re

from serval.work.models import WorkItem
from tests import factories as f


def _url(inc) -> str:
    return f"/incidents/{inc.number}/text/form"


def test_the_page_holds_an_empty_form_to_fill(world, signed_in):
    inc = f.make_incident(world.agent, description="A long story about the printer.")
    html = signed_in(world.agent).get(f"/incidents/{inc.number}/").content.decode()
    assert f'data-fill-src="{_url(inc)}"' in html
    assert 'id="text-title"' not in html and 'name="description"' not in html


def test_the_fetched_fields_carry_the_item_and_the_version_the_page_holds(world, signed_in):
    inc = f.make_incident(world.agent, title="Printer offline", description="Since **9:00**.")
    client = signed_in(world.agent)
    response = client.get(_url(inc), {"version": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'name="title"[^>]*value="Printer offline"', html)
    assert "Since **9:00**." in html
    assert re.search(r'name="version" value="1"', html)
    current = WorkItem.objects.get(pk=inc.pk).version
    html = client.get(_url(inc), {"version": "9" * 12}).content.decode()
    assert re.search(rf'name="version" value="{current}"', html)


def test_only_people_who_may_edit_get_the_fields(world, signed_in):
    inc = f.make_incident(world.requester, title="My laptop")
    assert signed_in(world.requester).get(_url(inc)).status_code == 404
    assert signed_in(world.outsider_agent).get(_url(inc)).status_code == 404
    WorkItem.objects.filter(pk=inc.pk).update(active=False)
    assert signed_in(world.agent).get(_url(inc)).status_code == 404
    assert signed_in(world.admin).get(_url(inc)).status_code == 200


def test_a_form_with_errors_is_drawn_open_in_place(world, signed_in):
    inc = f.make_incident(world.agent)
    client = signed_in(world.agent)
    response = client.post(
        f"/incidents/{inc.number}/edit",
        {"section": "text", "version": str(inc.version), "title": ""},
    )
    html = response.content.decode()
    assert 'id="text-edit"' in html
    form = re.search(r'<form[^>]*id="text-edit"[^>]*>', html).group(0)
    assert "hidden" not in form and "data-fill-src" not in form
    assert 'name="title"' in html
