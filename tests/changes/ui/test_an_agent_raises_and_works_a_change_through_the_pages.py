"""The change pages work a normal change from the form to Assess, with field errors re-rendered
and no partial writes (DOMAIN.md §2.3; DESIGN.md §4 Web UI)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from serval.changes.models import ChangeDetail
from serval.work.models import WorkItem
from tests.changes.conftest import make_change


def _local(dt):
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def test_the_create_form_makes_a_normal_change_and_the_page_shows_it(world, client, estate):
    client.force_login(world.agent)
    page = client.get("/changes/new?type=normal")
    assert page.status_code == 200
    assert b"Create change" in page.content
    start = (timezone.now() + timedelta(days=10)).replace(second=0, microsecond=0)
    response = client.post(
        "/changes/new",
        {
            "change_type": "normal",
            "title": "Patch srv-01",
            "justification": "Security fixes.",
            "implementation_plan": "Patch and reboot.",
            "backout_plan": "Restore the snapshot.",
            "planned_start": _local(start),
            "planned_end": _local(start + timedelta(hours=2)),
            "impact": "2",
            "urgency": "3",
            "assignment_group": str(world.team.pk),
            "assignee": "",
            "caller": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    item = WorkItem.objects.get(kind="change", title="Patch srv-01")
    detail = ChangeDetail.objects.get(pk=item.pk)
    assert detail.planned_start == start
    page = client.get(f"/changes/{item.number}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Patch srv-01" in text and "Request approval" in text
    assert 'id="impact"' in text and 'id="links"' in text and 'id="tasks"' in text


def test_a_bad_window_is_a_field_error_and_nothing_is_written(world, client):
    client.force_login(world.agent)
    start = timezone.now() + timedelta(days=3)
    before = WorkItem.objects.filter(kind="change").count()
    response = client.post(
        "/changes/new",
        {
            "change_type": "normal",
            "title": "Backwards",
            "planned_start": _local(start),
            "planned_end": _local(start - timedelta(hours=1)),
            "impact": "3",
            "urgency": "3",
        },
    )
    assert response.status_code == 200
    assert "Must be after" in response.content.decode()
    assert WorkItem.objects.filter(kind="change").count() == before


def test_requesting_approval_from_the_page_moves_the_change_on(world, client, estate):
    item = make_change(world.agent, cis=(estate.server,), assignment_group=world.team.pk)
    client.force_login(world.agent)
    response = client.post(
        f"/changes/{item.number}/transition", {"to": "assess", "version": item.version}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    item.refresh_from_db()
    assert item.state in ("assess", "authorize", "scheduled")
    page = client.get(f"/changes/{item.number}/").content.decode()
    assert "moved it from New to" in page
    edit = client.get(f"/changes/{item.number}/edit").content.decode()
    assert "Approved as it is" in edit


def test_the_list_filters_and_exports_changes(world, client, estate):
    make_change(world.agent, title="=cmd|' /C calc'!A0", change_type="emergency")
    make_change(world.agent, title="Quiet normal change")
    client.force_login(world.agent)
    page = client.get("/changes/?type=emergency").content.decode()
    assert "calc" in page and "Quiet normal change" not in page
    export = client.get("/changes/export.csv?type=emergency")
    body = b"".join(export.streaming_content).decode()
    assert "'=cmd" in body


def test_requesters_get_no_change_pages(world, client):
    client.force_login(world.requester)
    assert client.get("/changes/").status_code == 404
    assert client.get("/changes/new").status_code == 404
