"""The conflicts card of a change page (issue 5: conflicts "shown with an explanation"; the
override needs a reason): status, each conflict as a sentence with links to the other change,
the window and the CIs, the override (who, when, why, what it covered) and "check again"."""

from __future__ import annotations

from django.test import Client

from serval.changes import actions, panels
from serval.changes.models import ChangeDetail
from serval.work.models import WorkItem
from tests import factories as f
from tests.changes.conftest import make_change
from tests.changes.schedule.conftest import make_window


def _render(item, user) -> str:
    from django.template.loader import render_to_string

    detail = ChangeDetail.objects.get(pk=item.pk)
    return "".join(
        render_to_string(template, context)
        for template, context in panels.render(item, detail, user)
        if template == "changes/_conflicts_panel.html"
    )


def test_the_panel_names_the_blackout_the_ci_and_links_them(world, estate):
    freeze = make_window(world.manager, name="Year-end freeze", cis=[estate.server.pk])
    change = make_change(world.agent, cis=(estate.db,))
    html = _render(change, world.agent)
    assert "A parent or child of the CI is in a blackout window" in html
    assert f"{estate.server.name}, a parent or child of {estate.db.name}" in html
    assert f"/changes/windows/{freeze.pk}/" in html
    assert f"/cmdb/cis/{estate.server.pk}/" in html
    assert "Check again" in html


def test_the_panel_shows_the_override_and_what_it_covered(world, estate):
    make_window(world.manager, name="Freeze", cis=[estate.server.pk])
    change = make_change(world.agent, cis=(estate.server,), assignment_group=world.team.pk)
    actions.transition_change(actor=world.agent, item=change, to="assess")  # no policy: blocked
    actions.transition_change(
        actor=world.manager,
        item=WorkItem.objects.get(pk=change.pk),
        to="scheduled",
        conflict_override_reason="Agreed with the freeze owner.",
    )
    html = _render(WorkItem.objects.get(pk=change.pk), world.agent)
    assert "Agreed with the freeze owner." in html
    assert "scheduled it over 1 conflict" in html and "overridden" in html


def test_the_panel_is_hidden_from_requesters(world, estate):
    change = make_change(world.agent, cis=(estate.server,))
    assert _render(change, world.requester) == ""


def test_check_again_returns_the_panel_to_htmx(world, estate):
    change = make_change(world.agent, cis=(estate.server,))
    make_window(world.manager, name="Late freeze", cis=[estate.server.pk])  # task not run
    client = Client()
    client.login(username=world.agent.username, password=f.PASSWORD)
    url = f"/changes/schedule/{change.number}/check-conflicts"
    response = client.post(url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "Late freeze" in response.content.decode()
    assert client.post(url).status_code == 302
    outsider = Client()
    outsider.login(username=world.outsider_agent.username, password=f.PASSWORD)
    assert outsider.post(url).status_code == 404
