""" "My approvals" (DOMAIN.md §2.4): what waits for my decision — mine and of the people I stand
in for — newest first, paginated, with the change's number, title, type, risk and planned
window, approve in one click, reject with a reason; a count in the navigation; what I decided
under "Decided by me"."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from serval.approvals import delegation
from serval.approvals.models import Approval
from tests.approvals.conftest import fresh, make_change, make_policy, step, submit


def test_the_list_and_a_quick_approval(world, estate, client):
    make_policy(world, step(users=[world.agent2.pk], label="Peer review"))
    older = submit(world.agent, make_change(world.agent, title="Older change"))
    newer = submit(world.agent, make_change(world.agent, title="Newer change", cis=(estate.db,)))
    client.force_login(world.agent2)
    html = client.get("/approvals/").content.decode()
    assert html.index("Newer change") < html.index("Older change")
    for text in (newer.number, "Normal", "Moderate", "Peer review", "asked by"):
        assert text in html
    assert (
        'class="badge bg-red text-white ms-1 approvals-count">2'
        in client.get("/approvals/count").content.decode()
    )

    approval = Approval.objects.get(work_item=older)
    response = client.post(
        f"/approvals/{approval.pk}/decide", {"decision": "approve", "next": "/approvals/"}
    )
    assert response["Location"] == "/approvals/"
    assert fresh(older).state == "scheduled"
    page = client.get("/approvals/").content.decode()
    assert "Older change" not in page and f"You approved {older.number}" in page
    decided = client.get("/approvals/?show=decided").content.decode()
    assert "Older change" in decided and "Newer change" not in decided


def test_rejecting_needs_a_reason(world, estate, client):
    make_policy(world, step(users=[world.agent2.pk]))
    change = submit(world.agent, make_change(world.agent))
    approval = Approval.objects.get(work_item=change)
    client.force_login(world.agent2)
    page = client.post(
        f"/approvals/{approval.pk}/decide", {"decision": "reject", "comment": ""}, follow=True
    ).content.decode()
    assert "Say why you reject it." in page
    assert fresh(change).state == "assess"
    client.post(f"/approvals/{approval.pk}/decide", {"decision": "reject", "comment": "No."})
    assert fresh(change).state == "new"


def test_an_offsite_next_is_not_followed(world, estate, client):
    make_policy(world, step(users=[world.agent2.pk]))
    change = submit(world.agent, make_change(world.agent))
    approval = Approval.objects.get(work_item=change)
    client.force_login(world.agent2)
    response = client.post(
        f"/approvals/{approval.pk}/decide",
        {"decision": "approve", "next": "https://evil.example/"},
    )
    assert response["Location"] == f"/changes/{change.number}/"  # the change page, not evil


def test_a_delegates_list_shows_on_behalf(world, estate, client):
    make_policy(world, step(users=[world.agent2.pk]))
    change = submit(world.agent, make_change(world.agent))
    now = timezone.now()
    delegation.create_delegation(
        actor=world.agent2,
        user=world.agent2,
        delegate=world.manager,
        starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(days=1),
    )
    client.force_login(world.manager)
    html = client.get("/approvals/").content.decode()
    assert change.number in html and f"on behalf of {world.agent2.display_name}" in html


def test_it_pages(world, estate, client):
    make_policy(world, step(users=[world.agent2.pk]))
    for _ in range(27):
        submit(world.agent, make_change(world.agent))
    client.force_login(world.agent2)
    first = client.get("/approvals/").content.decode()
    assert "Page 1 of 2" in first and 'rel="next"' in first
    second = client.get("/approvals/?page=2").content.decode()
    assert second.count('data-approval="') == 2
    assert client.get("/approvals/?page=abc").status_code == 200


def test_an_empty_list_says_so(world, client):
    assert client.get("/approvals/count").content.decode().strip() == ""  # signed out: nothing
    client.force_login(world.requester)
    assert "Nothing waits for your decision." in client.get("/approvals/").content.decode()
    assert client.get("/approvals/count").content.decode().strip() == ""


def test_the_panel_on_the_approval_view_decides_and_comes_back(world, estate, client):
    make_policy(world, step(users=[world.agent2.pk], label="Peer review"))
    change = submit(world.agent, make_change(world.agent))
    approval = Approval.objects.get(work_item=change)
    client.force_login(world.agent2)
    here = f"/approvals/changes/{change.number}/"
    page = client.get(here).content.decode()
    assert "Your decision" in page and 'name="next" value="' + here in page
    response = client.post(
        f"/approvals/{approval.pk}/decide",
        {"decision": "approve", "comment": "Tested in staging.", "next": here},
        follow=True,
    )
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == here
    assert "Tested in staging." in html and "Your decision" not in html
