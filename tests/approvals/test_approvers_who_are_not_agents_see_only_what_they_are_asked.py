"""Visibility (DESIGN.md rule 2, SECURITY-REFERENCE A1): `changes_visible_to` is the one rule —
agents of the tenant see every change; a person who is not an agent sees, read-only, the
changes they are asked to approve (as approver or delegate, decided or not) and no others;
anything out of reach is a 404 on every page and endpoint."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from serval.approvals import delegation, engine
from serval.changes.querysets import changes_visible_to
from tests.approvals.conftest import make_change, make_policy, open_for, step, submit


def _owners_change(world, estate):
    make_policy(world, step(stage="authorize", kind="service_owners"))
    return submit(world.agent, make_change(world.agent, cis=(estate.db,), title="Payroll patch"))


def test_the_rule(world, estate):
    change = _owners_change(world, estate)
    other = make_change(world.agent)
    assert set(changes_visible_to(world.agent2)) >= {change, other}
    assert list(changes_visible_to(estate.owner)) == [change]
    assert list(changes_visible_to(world.requester)) == []
    assert list(changes_visible_to(world.outsider_agent)) == []
    assert list(changes_visible_to(world.outsider_requester)) == []
    engine.decide(actor=estate.owner, approval=open_for(change, estate.owner), approve=True)
    assert list(changes_visible_to(estate.owner)) == [change]  # decided: still theirs to read


def test_a_delegate_who_is_not_an_agent_sees_what_they_stand_in_for(world, estate):
    change = _owners_change(world, estate)
    now = timezone.now()
    delegation.create_delegation(
        actor=estate.owner,
        user=estate.owner,
        delegate=world.requester,
        starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(days=1),
    )
    assert list(changes_visible_to(world.requester)) == [change]


def test_the_business_owner_reads_and_decides_the_change_in_the_browser(world, estate, client):
    change = _owners_change(world, estate)
    client.force_login(estate.owner)
    page = client.get(f"/approvals/changes/{change.number}/")
    assert page.status_code == 200
    html = page.content.decode()
    for text in ("Payroll patch", "Apply the patch, restart.", "Restore the snapshot.", "Moderate"):
        assert text in html
    assert estate.payroll.name in html
    assert "Your decision" in html
    mine = client.get("/approvals/")
    assert change.number in mine.content.decode()


def test_others_get_404(world, estate, client):
    change = _owners_change(world, estate)
    approval = open_for(change, estate.owner)
    for user in (world.requester, world.outsider_agent, world.outsider_requester):
        client.force_login(user)
        assert client.get(f"/approvals/changes/{change.number}/").status_code == 404
        response = client.post(f"/approvals/{approval.pk}/decide", {"decision": "approve"})
        assert response.status_code == 404
        assert change.number not in client.get("/approvals/").content.decode()
    client.force_login(world.agent2)  # an agent of the tenant sees it but may not decide
    assert client.get(f"/approvals/changes/{change.number}/").status_code == 200
    response = client.post(f"/approvals/{approval.pk}/decide", {"decision": "approve"}, follow=True)
    assert "You cannot decide this approval." in response.content.decode()
    approval.refresh_from_db()
    assert approval.state == "requested"


def test_admin_pages_are_for_their_roles(world, client):
    checks = [
        ("/approvals/policies/", {"admin": 200, "manager": 200, "agent": 404, "requester": 404}),
        ("/approvals/policies/new", {"admin": 200, "manager": 404, "agent": 404}),
        ("/approvals/boards/", {"admin": 200, "agent": 200, "requester": 404}),
        ("/approvals/boards/new", {"admin": 200, "manager": 404, "agent": 404}),
    ]
    people = {
        "admin": world.admin,
        "manager": world.manager,
        "agent": world.agent,
        "requester": world.requester,
    }
    for url, expected in checks:
        for role, status in expected.items():
            client.force_login(people[role])
            assert client.get(url).status_code == status, (url, role)
    client.logout()
    assert client.get("/approvals/").status_code == 302  # to the sign-in page
