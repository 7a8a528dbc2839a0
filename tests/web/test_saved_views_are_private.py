"""Saved views: save the current filters, list them, delete them — each user only their own."""

from serval.web.models import SavedView


def test_save_list_and_delete(world, signed_in):
    client = signed_in(world.agent)
    response = client.post(
        "/views/",
        {"name": "My P1s", "querystring": "priority=1&assignee=me&page=3&evil=1"},
    )
    assert response.status_code == 302
    view = SavedView.objects.get(user=world.agent)
    assert view.querystring == "priority=1&assignee=me"
    assert response["Location"] == "/incidents/?priority=1&assignee=me"
    html = client.get("/incidents/").content.decode()
    assert "My P1s" in html and "/incidents/?priority=1&amp;assignee=me" in html
    assert client.post(f"/views/{view.pk}/delete").status_code == 302
    assert not SavedView.objects.exists()


def test_saving_the_same_name_replaces_the_filters(world, signed_in):
    client = signed_in(world.agent)
    client.post("/views/", {"name": "Mine", "querystring": "assignee=me"})
    client.post("/views/", {"name": "Mine", "querystring": "assignee=me&priority=2"})
    assert SavedView.objects.get().querystring == "assignee=me&priority=2"


def test_a_nameless_view_is_refused(world, signed_in):
    signed_in(world.agent).post("/views/", {"name": " ", "querystring": "priority=1"})
    assert not SavedView.objects.exists()


def test_nobody_sees_or_deletes_another_users_view(world, signed_in):
    signed_in(world.agent).post("/views/", {"name": "Alice secret", "querystring": "q=x"})
    view = SavedView.objects.get()
    other = signed_in(world.agent2)
    assert "Alice secret" not in other.get("/incidents/").content.decode()
    assert other.post(f"/views/{view.pk}/delete").status_code == 404
    assert signed_in(world.outsider_agent).post(f"/views/{view.pk}/delete").status_code == 404
    assert SavedView.objects.filter(pk=view.pk).exists()


def test_return_to_cannot_leave_the_site(world, signed_in):
    response = signed_in(world.agent).post(
        "/views/", {"name": "x", "querystring": "", "return_to": "https://evil.example/"}
    )
    assert response["Location"].startswith("/incidents/")
