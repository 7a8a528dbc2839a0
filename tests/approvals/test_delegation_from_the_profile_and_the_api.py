"""Delegation is set up on the profile page or through `/api/v1/approvals/delegations`
(DOMAIN.md §2.4 delegation while away); mistakes come back as messages or problem documents,
nothing is written."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from serval.approvals.models import Delegation
from tests.approvals.conftest import assert_problem


def test_the_profile_section(world, client):
    client.force_login(world.agent2)
    page = client.get("/accounts/profile/").content.decode()
    assert 'id="delegation"' in page and "Delegation while away" in page
    start = timezone.localtime(timezone.now())
    response = client.post(
        "/approvals/delegations/new",
        {
            "delegate": "mona",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
            "reason": "Holiday",
        },
        follow=True,
    )
    d = Delegation.objects.get(user=world.agent2)
    assert d.delegate == world.manager and d.reason == "Holiday"
    html = response.content.decode()
    assert "can decide your approvals" in html and "Holiday" in html
    bad = client.post(
        "/approvals/delegations/new",
        {"delegate": "bob", "starts_at": "2026-01-01T10:00", "ends_at": "2026-01-01T09:00"},
        follow=True,
    )
    assert "Choose someone other than yourself." in bad.content.decode()
    assert Delegation.objects.filter(user=world.agent2).count() == 1
    client.post(f"/approvals/delegations/{d.pk}/end")
    d.refresh_from_db()
    assert d.ends_at <= timezone.now()
    client.force_login(world.agent)
    assert client.post(f"/approvals/delegations/{d.pk}/end").status_code == 404


def test_the_api(world, api_as):
    bob = api_as(world.agent2)
    now = timezone.now()
    created = bob.post(
        "approvals/delegations",
        {
            "delegate": "mona",
            "starts_at": now.isoformat(),
            "ends_at": (now + timedelta(days=2)).isoformat(),
            "reason": "Away",
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["user"]["username"], body["delegate"]["username"], body["active"]) == (
        "bob",
        "mona",
        True,
    )
    given = bob.get("approvals/delegations?scope=given&active=1").json()["items"]
    assert [d["id"] for d in given] == [body["id"]]
    received = api_as(world.manager).get("approvals/delegations?scope=received").json()["items"]
    assert [d["id"] for d in received] == [body["id"]]
    assert api_as(world.agent).get("approvals/delegations").json()["items"] == []
    assert_problem(
        bob.post(
            "approvals/delegations",
            {"delegate": "otto", "starts_at": now.isoformat(), "ends_at": now.isoformat()},
        ),
        422,
    )
    for_someone_else = api_as(world.agent).post(
        "approvals/delegations",
        {
            "user": "bob",
            "delegate": "alice",
            "starts_at": now.isoformat(),
            "ends_at": (now + timedelta(days=1)).isoformat(),
        },
    )
    assert_problem(for_someone_else, 403)  # only administrators delegate for someone else
    ended = bob.post(f"approvals/delegations/{body['id']}/end").json()
    assert ended["active"] is False
    assert_problem(api_as(world.agent).post(f"approvals/delegations/{body['id']}/end"), 404)
    admin = api_as(world.admin)
    for_bob = admin.post(
        "approvals/delegations",
        {
            "user": "bob",
            "delegate": "alice",
            "starts_at": now.isoformat(),
            "ends_at": (now + timedelta(days=1)).isoformat(),
        },
    )
    assert for_bob.status_code == 201 and for_bob.json()["user"]["username"] == "bob"
