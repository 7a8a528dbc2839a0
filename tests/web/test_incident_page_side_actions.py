"""Watchers, parent/child links, major incidents and uploads from the incident page."""

from django.core.files.uploadedfile import SimpleUploadedFile

from serval.incidents.models import IncidentDetail
from serval.work.models import Attachment, WorkItem
from tests import factories as f


def test_watch_and_unwatch(world, signed_in):
    inc = f.make_incident(world.requester)
    client = signed_in(world.requester)
    client.post(f"/incidents/{inc.number}/watch", {"watching": "1"})
    assert list(WorkItem.objects.get(pk=inc.pk).watchers.all()) == [world.requester]
    client.post(f"/incidents/{inc.number}/watch", {"watching": "0"})
    assert not WorkItem.objects.get(pk=inc.pk).watchers.exists()


def test_set_parent_lists_child_and_unlink(world, signed_in):
    parent = f.make_incident(world.agent, title="Core switch down")
    child = f.make_incident(world.agent, title="Cannot reach intranet")
    client = signed_in(world.agent)
    client.post(
        f"/incidents/{child.number}/parent", {"parent": parent.number, "version": child.version}
    )
    assert WorkItem.objects.get(pk=child.pk).parent == parent
    assert child.number in client.get(f"/incidents/{parent.number}/").content.decode()
    child.refresh_from_db()
    client.post(f"/incidents/{child.number}/parent", {"parent": "", "version": child.version})
    assert WorkItem.objects.get(pk=child.pk).parent is None


def test_a_parent_in_another_tenant_is_unknown(world, signed_in):
    theirs = f.make_incident(world.outsider_agent)
    mine = f.make_incident(world.agent)
    response = signed_in(world.agent).post(
        f"/incidents/{mine.number}/parent",
        {"parent": theirs.number, "version": mine.version},
        follow=True,
    )
    assert "Unknown incident." in response.content.decode()
    assert WorkItem.objects.get(pk=mine.pk).parent is None


def test_major_incident_propose_then_accept(world, signed_in):
    inc = f.make_incident(world.agent)
    agent = signed_in(world.agent)
    page = agent.get(f"/incidents/{inc.number}/").content.decode()
    assert "Propose as major incident" in page
    agent.post(f"/incidents/{inc.number}/major", {"decision": "propose", "business_impact": "x"})
    assert IncidentDetail.objects.get(work_item=inc).major_state == "proposed"
    # An agent cannot accept; a manager can.
    agent.post(f"/incidents/{inc.number}/major", {"decision": "accept"})
    assert IncidentDetail.objects.get(work_item=inc).major_state == "proposed"
    manager = signed_in(world.manager)
    assert ">Accept<" in manager.get(f"/incidents/{inc.number}/").content.decode()
    manager.post(f"/incidents/{inc.number}/major", {"decision": "accept"})
    assert IncidentDetail.objects.get(work_item=inc).major_state == "accepted"


def test_upload_and_the_size_limit_message(world, signed_in, settings):
    inc = f.make_incident(world.agent)
    client = signed_in(world.agent)
    ok = SimpleUploadedFile("trace.txt", b"stack trace\n", content_type="text/plain")
    response = client.post(f"/incidents/{inc.number}/attach", {"file": ok}, follow=True)
    assert "trace.txt was attached." in response.content.decode()
    assert Attachment.objects.count() == 1
    settings.ATTACHMENT_MAX_BYTES = 10
    big = SimpleUploadedFile("big.txt", b"x" * 100, content_type="text/plain")
    response = client.post(f"/incidents/{inc.number}/attach", {"file": big}, follow=True)
    assert "Files can be at most" in response.content.decode()
    assert Attachment.objects.count() == 1


def test_a_disguised_file_is_refused(world, signed_in):
    inc = f.make_incident(world.agent)
    fake = SimpleUploadedFile("photo.png", b"<html><script>alert(1)</script>", "image/png")
    response = signed_in(world.agent).post(
        f"/incidents/{inc.number}/attach", {"file": fake}, follow=True
    )
    assert "does not match its extension" in response.content.decode()
    assert not Attachment.objects.exists()
