"""Links between work items (DOMAIN.md §2.3 "incidents caused by change"): an incident is caused
by a change; the link is typed, its kinds are data, it joins one tenant, is journaled on both
items and shows on both pages — but never tells a requester of a change they may not see."""

from __future__ import annotations

import pytest

from serval.core.errors import PermissionDenied, ValidationFailed
from serval.core.models import JournalEvent
from serval.work import links
from serval.work.models import WorkItemLink
from tests import factories as f
from tests.changes.conftest import make_change


def test_either_side_names_the_link_and_both_journals_record_it(world):
    change = make_change(world.agent)
    incident = f.make_incident(world.requester, title="Payroll slow since the patch")
    link = links.link_items(actor=world.agent, item=change, other=incident, link_type="caused_by")
    assert (link.source_id, link.target_id) == (incident.pk, change.pk)  # incident caused by change
    seen_from_change = links.links_of(change, world.agent)
    assert [(x.label, x.other.number) for x in seen_from_change] == [("Caused", incident.number)]
    seen_from_incident = links.links_of(incident, world.agent)
    assert [(x.label, x.other.number) for x in seen_from_incident] == [("Caused by", change.number)]
    for item, other in ((change, incident), (incident, change)):
        event = JournalEvent.objects.filter(subject_id=item.pk, verb="linked").get()
        assert event.data["number"] == other.number and event.internal
    with pytest.raises(ValidationFailed):
        links.link_items(actor=world.agent, item=incident, other=change, link_type="caused_by")


def test_the_kinds_each_type_joins_are_data(world):
    change, other_change = make_change(world.agent), make_change(world.agent)
    incident = f.make_incident(world.agent)
    with pytest.raises(ValidationFailed) as exc:
        links.link_items(actor=world.agent, item=change, other=other_change, link_type="caused_by")
    assert "type" in exc.value.as_dict()
    with pytest.raises(ValidationFailed):
        links.link_items(actor=world.agent, item=change, other=incident, link_type="fixes")
    assert links.LINK_KINDS["fixes"] == (("change",), ("problem",))
    assert links.LINK_KINDS["implements"] == (("change",), ("request",))
    assert (
        links.link_items(
            actor=world.agent, item=change, other=other_change, link_type="related"
        ).type
        == "related"
    )
    assert {t for t, _label in links.types_for("change")} == {"caused_by", "related"}


def test_links_stay_in_one_tenant_and_are_agents_work(world):
    change = make_change(world.agent)
    theirs = f.make_incident(world.outsider_agent)
    with pytest.raises(ValidationFailed):
        links.link_items(actor=world.agent, item=change, other=theirs, link_type="related")
    mine = f.make_incident(world.requester)
    with pytest.raises(PermissionDenied):
        links.link_items(actor=world.requester, item=mine, other=change, link_type="caused_by")


def test_a_requester_sees_the_change_link_only_if_they_may_see_the_change(world, client):
    incident = f.make_incident(world.requester, title="Printer offline")
    hidden = make_change(world.agent, title="Replace the print server")
    visible = make_change(world.agent, title="Move the printers", caller=world.requester.pk)
    for change in (hidden, visible):
        links.link_items(actor=world.agent, item=incident, other=change, link_type="caused_by")
    assert [x.other.number for x in links.links_of(incident, world.requester)] == [visible.number]
    client.force_login(world.requester)
    page = client.get(f"/incidents/{incident.number}/").content.decode()
    assert visible.number in page and hidden.number not in page
    assert 'name="op" value="link"' not in page  # no add form for requesters


def test_agents_add_and_remove_links_from_both_pages_and_the_api(world, client):
    from tests.api.conftest import Api

    def api_as(user):
        return Api(f.token_for(user))

    change = make_change(world.agent)
    incident = f.make_incident(world.agent)
    client.force_login(world.agent)
    response = client.post(
        f"/changes/{change.number}/links",
        {"op": "link", "type": "caused_by", "item": incident.number.lower()},
    )
    assert response.status_code == 302
    page = client.get(f"/incidents/{incident.number}/").content.decode()
    assert "Caused by" in page and change.number in page
    link = WorkItemLink.objects.get()
    client.post(f"/incidents/{incident.number}/links", {"op": "unlink", "link": link.pk})
    assert not WorkItemLink.objects.exists()

    api = api_as(world.agent)
    made = api.post(
        f"changes/{change.number}/links", {"type": "caused_by", "item": incident.number}
    )
    assert made.status_code == 201, made.content
    assert made.json()["label"] == "Caused" and made.json()["item"]["number"] == incident.number
    from_incident = api.get(f"incidents/{incident.number}/links").json()
    assert [(x["label"], x["item"]["kind"]) for x in from_incident] == [("Caused by", "change")]
    gone = api.delete(f"incidents/{incident.number}/links/{from_incident[0]['id']}")
    assert gone.status_code == 204
    unknown = api.post(
        f"changes/{change.number}/links", {"type": "caused_by", "item": "INC-999999"}
    )
    assert unknown.status_code == 422
