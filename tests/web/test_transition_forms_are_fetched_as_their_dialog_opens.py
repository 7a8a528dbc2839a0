"""Issue 6: the incident page drew the form of every transition dialog on every view (~3.5 ms
of the page); a dialog now holds its title until it first opens and app.js fetches its form.
The fetched form must be the one the page drew — fields from the state machine's `requires`
(DESIGN.md rule 3), the version the page holds (so someone else's change is still refused as
stale), visibility and the machine's offer checked like any other read — and a form that came
back with errors is still drawn in place, its dialog opening on load."""

from __future__ import annotations

import re

from serval.work.models import WorkItem
from tests import factories as f


def _form_url(inc, target: str) -> str:
    return f"/incidents/{inc.number}/transition/{target}/form"


def test_the_page_draws_dialog_shells_and_no_transition_fields(world, signed_in):
    inc = f.make_incident(world.agent)
    html = signed_in(world.agent).get(f"/incidents/{inc.number}/").content.decode()
    assert f'data-dialog-src="{_form_url(inc, "resolved")}"' in html
    assert 'id="dlg-transition-resolved"' in html
    assert 'name="close_code"' not in html and 'name="cancel_reason"' not in html


def test_the_fetched_form_carries_the_fields_and_the_version_the_page_holds(world, signed_in):
    inc = f.make_incident(world.agent)
    client = signed_in(world.agent)
    response = client.get(_form_url(inc, "resolved"), {"version": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("close_code", "close_notes", "comment", "csrfmiddlewaretoken"):
        assert f'name="{name}"' in html, name
    assert re.search(r'name="to" value="resolved"', html)
    assert re.search(r'name="version" value="1"', html)
    assert f'action="/incidents/{inc.number}/transition"' in html
    # Garbage for a version is the item's own.
    current = WorkItem.objects.get(pk=inc.pk).version
    html = client.get(_form_url(inc, "resolved"), {"version": "x" * 40}).content.decode()
    assert re.search(rf'name="version" value="{current}"', html)


def test_what_the_fetched_form_sends_is_a_transition(world, signed_in):
    inc = f.make_incident(world.agent)
    client = signed_in(world.agent)
    html = client.get(_form_url(inc, "resolved")).content.decode()
    version = re.search(r'name="version" value="(\d+)"', html).group(1)
    data = {"to": "resolved", "version": version, "close_code": "solved_remotely"}
    data["close_notes"] = "Rebooted"
    assert client.post(f"/incidents/{inc.number}/transition", data).status_code == 302
    assert WorkItem.objects.get(pk=inc.pk).state == "resolved"


def test_a_step_not_offered_or_an_item_out_of_reach_is_404(world, signed_in):
    inc = f.make_incident(world.agent)
    agent = signed_in(world.agent)
    assert agent.get(_form_url(inc, "closed")).status_code == 404  # not from New
    assert agent.get(_form_url(inc, "nonsense")).status_code == 404
    outsider = f.make_user("agent", f.make_tenant("Elsewhere"), "outside-agent")
    assert signed_in(outsider).get(_form_url(inc, "resolved")).status_code == 404
    assert signed_in(world.requester).get(_form_url(inc, "resolved")).status_code == 404
    assert agent.post(_form_url(inc, "resolved")).status_code == 405


def test_a_form_with_errors_is_drawn_in_place_and_reopens(world, signed_in):
    inc = f.make_incident(world.agent)
    data = {"to": "resolved", "version": str(inc.version), "close_code": "", "close_notes": ""}
    response = signed_in(world.agent).post(f"/incidents/{inc.number}/transition", data)
    html = response.content.decode()
    dialog = re.search(r'<dialog id="dlg-transition-resolved"[^>]*>', html).group(0)
    assert "data-open-on-load" in dialog and "data-dialog-src" not in dialog
    assert 'name="close_code"' in html  # the form itself, with its errors
    other = re.search(r'<dialog id="dlg-transition-cancelled"[^>]*>', html).group(0)
    assert "data-dialog-src" in other  # the others still wait to be opened
