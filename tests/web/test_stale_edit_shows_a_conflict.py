"""DESIGN.md rule 6: an edit made on an old version is refused with a clear message."""

from serval.incidents import actions
from serval.work.models import WorkItem
from tests import factories as f


def _fields(world, inc, **extra):
    data = {
        "section": "fields",
        "version": str(inc.version),
        "caller": world.requester.username,
        "impact": "2",
        "urgency": "2",
        "assignment_group": str(world.team.pk),
        "assignee": "",
        "service": "Payroll",
        "configuration_item": "",
        "category": "",
        "channel": "phone",
    }
    data.update(extra)
    return data


def test_a_current_edit_is_saved_and_journaled(world, signed_in):
    inc = f.make_incident(world.agent, caller=world.requester.username)
    response = signed_in(world.agent).post(f"/incidents/{inc.number}/edit", _fields(world, inc))
    assert response.status_code == 302
    inc.refresh_from_db()
    assert (inc.service, inc.priority, inc.assignment_group) == ("Payroll", 3, world.team)
    page = signed_in(world.agent).get(f"/incidents/{inc.number}/").content.decode()
    assert "Payroll" in page and "changed" in page


def test_a_stale_edit_is_refused_with_a_conflict_message(world, signed_in):
    inc = f.make_incident(world.agent, caller=world.requester.username)
    seen = inc.version
    actions.update_incident(actor=world.agent2, item=inc, service="Changed meanwhile")
    data = _fields(world, inc, version=str(seen), service="My edit")
    response = signed_in(world.agent).post(f"/incidents/{inc.number}/edit", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "This incident changed while you were working on it" in html
    assert 'value="My edit"' in html  # nothing the user typed is lost
    assert WorkItem.objects.get(pk=inc.pk).service == "Changed meanwhile"


def test_title_and_description_edit(world, signed_in):
    inc = f.make_incident(world.agent)
    data = {
        "section": "text",
        "version": str(inc.version),
        "title": "Better title",
        "description": "More",
    }
    assert signed_in(world.agent).post(f"/incidents/{inc.number}/edit", data).status_code == 302
    inc.refresh_from_db()
    assert (inc.title, inc.description) == ("Better title", "More")


def test_requesters_cannot_edit(world, signed_in):
    inc = f.make_incident(world.requester)
    client = signed_in(world.requester)
    assert 'name="section"' not in client.get(f"/incidents/{inc.number}/").content.decode()
    data = {"section": "text", "version": str(inc.version), "title": "Hacked"}
    client.post(f"/incidents/{inc.number}/edit", data)
    assert WorkItem.objects.get(pk=inc.pk).title != "Hacked"
