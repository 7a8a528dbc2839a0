"""SECURITY-REFERENCE A1, A2, A4: another tenant's or organization's incidents and files are
404 on every page, never 403; requesters never get internal attachments."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from serval.work import actions as work
from tests import factories as f

PAGES = ["/", "edit", "transition", "comment", "attach", "watch", "parent", "major"]


@pytest.fixture
def incident(world):
    return f.make_incident(world.requester, title="Finance laptop broken")


def _attach(item, actor, internal=False):
    upload = SimpleUploadedFile("notes.txt", b"secret notes\n", content_type="text/plain")
    return work.add_attachment(item=item, actor=actor, upload=upload, internal=internal)


@pytest.mark.parametrize("who", ["outsider_agent", "outsider_requester", "requester_other_org"])
def test_detail_and_every_form_are_404(world, signed_in, incident, who):
    client = signed_in(getattr(world, who))
    base = f"/incidents/{incident.number}/"
    assert client.get(base).status_code == 404
    for action in PAGES[1:]:
        assert client.post(base + action, {"version": incident.version}).status_code == 404


def test_same_org_requester_and_agent_see_it(world, signed_in, incident):
    for user in (world.requester, world.requester_same_org, world.agent):
        assert signed_in(user).get(f"/incidents/{incident.number}/").status_code == 200


@pytest.mark.parametrize("who", ["outsider_agent", "outsider_requester", "requester_other_org"])
def test_attachment_downloads_are_404_outside_reach(world, signed_in, incident, who):
    attachment = _attach(incident, world.agent)
    response = signed_in(getattr(world, who)).get(f"/attachments/{attachment.pk}/download")
    assert response.status_code == 404


def test_internal_attachments_are_for_agents_only(world, signed_in, incident):
    attachment = _attach(incident, world.agent, internal=True)
    url = f"/attachments/{attachment.pk}/download"
    assert signed_in(world.requester).get(url).status_code == 404
    assert signed_in(world.agent).get(url).status_code == 200
    page = signed_in(world.requester).get(f"/incidents/{incident.number}/").content.decode()
    assert "notes.txt" not in page


def test_downloads_are_attachments_with_nosniff_and_a_sandbox(world, signed_in, incident):
    attachment = _attach(incident, world.agent)
    response = signed_in(world.requester).get(f"/attachments/{attachment.pk}/download")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == b"secret notes\n"


def test_anonymous_download_goes_to_login(world, client, incident):
    attachment = _attach(incident, world.agent)
    response = client.get(f"/attachments/{attachment.pk}/download")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_requesters_never_see_work_notes(world, signed_in, incident):
    from serval.incidents import actions

    actions.comment_on_incident(actor=world.agent, item=incident, body="caller-visible words")
    actions.comment_on_incident(
        actor=world.agent, item=incident, body="internal-only words", internal=True
    )
    requester_page = signed_in(world.requester).get(f"/incidents/{incident.number}/")
    agent_page = signed_in(world.agent).get(f"/incidents/{incident.number}/")
    assert "caller-visible words" in requester_page.content.decode()
    assert "internal-only words" not in requester_page.content.decode()
    assert "internal-only words" in agent_page.content.decode()
