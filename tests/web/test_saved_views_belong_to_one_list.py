"""Saved views on the change list as on the incident list: each view belongs to the list it was
saved on, keeps only that list's filters, opens that list, and is private to its owner.
(A mature desk keeps per-list views; the change filters are those of DOMAIN.md §2.3.)"""

from __future__ import annotations

from serval.web.models import SavedList, SavedView


def test_a_change_view_keeps_the_change_filters_and_opens_the_change_list(world, signed_in):
    client = signed_in(world.agent)
    response = client.post(
        "/views/",
        {
            "list": "changes",
            "name": "High risk this week",
            "querystring": "risk=high&type=normal&planned_from=2026-12-01&priority=1&page=2",
        },
    )
    assert response.status_code == 302
    view = SavedView.objects.get(user=world.agent)
    assert view.list_name == SavedList.CHANGES
    # `priority` is an incident filter the change list ignores; `page` is never kept.
    assert view.querystring == "risk=high&type=normal&planned_from=2026-12-01"
    assert response["Location"] == "/changes/?risk=high&type=normal&planned_from=2026-12-01"

    changes_page = client.get("/changes/").content.decode()
    assert "High risk this week" in changes_page
    assert "/changes/?risk=high&amp;type=normal&amp;planned_from=2026-12-01" in changes_page
    assert "High risk this week" not in client.get("/incidents/").content.decode()


def test_the_same_name_may_be_used_once_per_list(world, signed_in):
    client = signed_in(world.agent)
    client.post("/views/", {"list": "incidents", "name": "Mine", "querystring": "assignee=me"})
    client.post("/views/", {"list": "changes", "name": "Mine", "querystring": "assignee=me"})
    client.post("/views/", {"list": "changes", "name": "Mine", "querystring": "risk=low"})
    views = dict(SavedView.objects.values_list("list_name", "querystring"))
    assert views == {"incidents": "assignee=me", "changes": "risk=low"}


def test_an_unknown_list_is_the_incident_list_and_deleting_returns_to_the_views_list(
    world, signed_in
):
    client = signed_in(world.agent)
    client.post("/views/", {"list": "../admin", "name": "x", "querystring": "priority=2"})
    view = SavedView.objects.get()
    assert view.list_name == SavedList.INCIDENTS
    client.post("/views/", {"list": "changes", "name": "y", "querystring": "risk=high"})
    change_view = SavedView.objects.get(list_name=SavedList.CHANGES)
    response = client.post(f"/views/{change_view.pk}/delete", {"list": "changes"})
    assert response["Location"] == "/changes/"
    assert list(SavedView.objects.values_list("pk", flat=True)) == [view.pk]


def test_nobody_sees_or_deletes_another_agents_change_view(world, signed_in):
    signed_in(world.agent).post(
        "/views/", {"list": "changes", "name": "Alice CAB", "querystring": "state=authorize"}
    )
    view = SavedView.objects.get()
    other = signed_in(world.agent2)
    assert "Alice CAB" not in other.get("/changes/").content.decode()
    assert other.post(f"/views/{view.pk}/delete", {"list": "changes"}).status_code == 404
    assert SavedView.objects.filter(pk=view.pk).exists()


def test_a_nameless_change_view_is_refused_and_the_filters_survive(world, signed_in):
    response = signed_in(world.agent).post(
        "/views/", {"list": "changes", "name": "", "querystring": "risk=high"}
    )
    assert response["Location"] == "/changes/?risk=high"
    assert not SavedView.objects.exists()
