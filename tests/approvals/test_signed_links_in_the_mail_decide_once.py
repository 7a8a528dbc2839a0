"""The approval e-mail carries signed approve/reject links (INTEGRATIONS-REFERENCE signed links;
SECURITY-REFERENCE A10, E1): a link opens a confirmation page that never decides on GET; its
POST decides without a sign-in, once; forged, foreign, expired, reused and no-longer-allowed
links get a page that says so, never an error. Mail goes through the real queue to the loopback
SMTP server; links are taken from the received mail."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import signing
from django.utils import timezone

from serval.approvals import delegation, links
from serval.approvals.models import Approval
from serval.notifications.actions import set_preferences
from tests.approvals.conftest import fresh, make_change, make_policy, step, submit
from tests.notifications.conftest import run_queue

LINK = re.compile(r"https?://[^\s/]+(/approvals/link/[^\s?]+/)\?decision=(approve|reject)")


def _links(mail) -> dict[str, str]:
    return {decision: path for path, decision in LINK.findall(mail.text())}


@pytest.fixture
def asked(world, estate, inbox):
    """Bob is asked to approve alice's change; the mail is sent through the queue."""
    make_policy(world, step(users=[world.agent2.pk], label="Peer review"))
    change = submit(world.agent, make_change(world.agent, title="Patch the payroll database"))
    run_queue()
    return change


def test_the_mail_reaches_the_approver_only(world, asked, inbox):
    [mail] = inbox.received
    assert mail.rcpt_tos == [world.agent2.email]
    assert (
        mail.subject == f"[{asked.number}] Your approval is requested: Patch the payroll database"
    )
    assert set(_links(mail)) == {"approve", "reject"}
    assert "Peer review" in mail.text()
    assert "Approve" in mail.html() and "/approvals/link/" in mail.html()


def test_get_confirms_and_post_decides_once(world, asked, inbox, client):
    path = _links(inbox.received[0])["approve"]
    page = client.get(path + "?decision=approve")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Confirm my decision" in html and "Patch the payroll database" in html
    assert page["Referrer-Policy"] == "no-referrer" and page["Cache-Control"] == "no-store"
    assert Approval.objects.get(work_item=asked).state == "requested"  # GET never decides

    done = client.post(path, {"decision": "approve", "comment": "Looks good."})
    assert done.status_code == 200 and "You approved it" in done.content.decode()
    approval = Approval.objects.get(work_item=asked)
    assert (approval.state, approval.decided_by_id, approval.comment) == (
        "approved",
        world.agent2.pk,
        "Looks good.",
    )
    assert fresh(asked).state == "scheduled"

    again = client.post(path, {"decision": "reject", "comment": "No."})
    assert again.status_code == 409
    assert 'data-code="closed"' in again.content.decode()
    assert Approval.objects.get(work_item=asked).state == "approved"

    run_queue()
    told = inbox.to(world.agent.email)
    # The decision, then the move it caused (serval.notifications: "requester notified").
    assert [m.subject for m in told] == [
        f"[{asked.number}] Approved by bob: {asked.title}",
        f"[{asked.number}] Scheduled: {asked.title}",
    ]


def test_the_post_needs_no_sign_in_and_no_csrf_token(world, asked, inbox):
    """The signed token is the credential; no cookie authorises anything (docs/approvals.md)."""
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    path = _links(inbox.received[0])["approve"]
    assert strict.post(path, {"decision": "approve"}).status_code == 200
    assert Approval.objects.get(work_item=asked).state == "approved"


def test_reject_through_the_link_needs_a_comment(world, asked, inbox, client):
    path = _links(inbox.received[0])["reject"]
    refused = client.post(path, {"decision": "reject", "comment": ""})
    assert refused.status_code == 422
    assert Approval.objects.get(work_item=asked).state == "requested"
    client.post(path, {"decision": "reject", "comment": "Wrong window."})
    assert fresh(asked).state == "new"
    run_queue()
    [told] = inbox.to(world.agent.email)
    assert told.subject == f"[{asked.number}] Rejected: {asked.title}"
    assert "Wrong window." in told.text()


def test_a_forged_or_foreign_token_is_refused(world, asked, inbox, client):
    path = _links(inbox.received[0])["approve"]
    token = path.rstrip("/").rsplit("/", 1)[1]
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    foreign = signing.dumps({"a": 1, "p": 1, "u": 1, "r": 1}, salt="serval.api.cursor")
    for bad in (tampered, foreign, "not-a-token", "x" * 600):
        for response in (
            client.get(f"/approvals/link/{bad}/"),
            client.post(f"/approvals/link/{bad}/", {"decision": "approve"}),
        ):
            assert response.status_code == 400, bad
            assert 'data-code="invalid"' in response.content.decode()
    assert Approval.objects.get(work_item=asked).state == "requested"


def test_a_token_is_bound_to_its_approval_and_approver(world, asked, client):
    """A correctly signed token naming another approver of that approval is still refused."""
    approval = Approval.objects.get(work_item=asked)
    wrong = signing.dumps(
        {"a": approval.pk, "p": world.manager.pk, "u": world.manager.pk, "r": 1},
        salt=links.SALT,
    )
    response = client.post(f"/approvals/link/{wrong}/", {"decision": "approve"})
    assert response.status_code == 400
    later_round = signing.dumps(
        {"a": approval.pk, "p": world.agent2.pk, "u": world.agent2.pk, "r": 2}, salt=links.SALT
    )
    assert client.get(f"/approvals/link/{later_round}/").status_code == 400
    assert Approval.objects.get(pk=approval.pk).state == "requested"


class _Old(signing.TimestampSigner):
    def timestamp(self) -> str:  # signed long before the link's lifetime
        return signing.b62_encode(int(timezone.now().timestamp()) - 30 * 86400)


def test_an_expired_link_says_so(world, asked, client, settings):
    settings.APPROVAL_LINK_DAYS = 7
    approval = Approval.objects.get(work_item=asked)
    old = _Old(salt=links.SALT).sign_object(
        {"a": approval.pk, "p": world.agent2.pk, "u": world.agent2.pk, "r": 1}
    )
    response = client.post(f"/approvals/link/{old}/", {"decision": "approve"})
    assert response.status_code == 410
    assert 'data-code="expired"' in response.content.decode()
    assert Approval.objects.get(pk=approval.pk).state == "requested"


def test_the_delegate_gets_the_mail_and_decides_on_behalf(world, estate, inbox, client):
    now = timezone.now()
    delegation.create_delegation(
        actor=world.agent2,
        user=world.agent2,
        delegate=world.manager,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=2),
    )
    make_policy(world, step(users=[world.agent2.pk]))
    change = submit(world.agent, make_change(world.agent))
    run_queue()
    assert inbox.addresses() == sorted([world.agent2.email, world.manager.email])
    [mail] = inbox.to(world.manager.email)
    assert f"On behalf of {world.agent2.display_name}" in mail.text()
    path = _links(mail)["approve"]
    page = client.get(path)
    assert "on behalf of" in page.content.decode()
    client.post(path, {"decision": "approve"})
    approval = Approval.objects.get(work_item=change)
    assert (approval.approver_id, approval.decided_by_id) == (world.agent2.pk, world.manager.pk)


def test_a_delegates_link_dies_with_the_delegation(world, estate, inbox, client):
    now = timezone.now()
    d = delegation.create_delegation(
        actor=world.agent2,
        user=world.agent2,
        delegate=world.manager,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=2),
    )
    make_policy(world, step(users=[world.agent2.pk]))
    change = submit(world.agent, make_change(world.agent))
    run_queue()
    path = _links(inbox.to(world.manager.email)[0])["approve"]
    delegation.end_delegation(actor=world.agent2, delegation=d)
    response = client.post(path, {"decision": "approve"})
    assert response.status_code == 403
    assert 'data-code="not_allowed"' in response.content.decode()
    assert Approval.objects.get(work_item=change).state == "requested"


def test_approvers_who_switched_the_mail_off_get_none(world, estate, inbox):
    set_preferences(actor=world.agent2, user=world.agent2, enabled={"approval_requested": False})
    make_policy(world, step(users=[world.agent2.pk, world.manager.pk]))
    submit(world.agent, make_change(world.agent))
    run_queue()
    assert inbox.addresses() == [world.manager.email]


def test_the_person_who_submitted_gets_no_request_mail(world, estate, inbox):
    """Mona submits bob's change and is its approver too: she is never mailed her own act."""
    make_policy(world, step(users=[world.manager.pk]))
    change = make_change(world.agent2)
    submit(world.manager, change)
    run_queue()
    assert inbox.received == []
