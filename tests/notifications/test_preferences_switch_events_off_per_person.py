"""Issue 3 "per-user preferences": each event type can be switched off on the profile page;
everything is on by default, and requesters are not offered internal events."""

from __future__ import annotations

import pytest

from serval.core.errors import PermissionDenied, ValidationFailed
from serval.incidents.actions import comment_on_incident, update_incident
from serval.notifications import actions
from serval.notifications.models import Preference
from tests import factories as f
from tests.notifications.conftest import run_queue


def test_a_switched_off_event_is_not_mailed_but_others_are(world, inbox):
    actions.set_preferences(actor=world.agent, user=world.agent, enabled={"commented": False})
    item = f.make_incident(world.requester)
    update_incident(
        actor=world.manager, item=item, assignment_group=world.team.pk, assignee=world.agent.pk
    )
    comment_on_incident(actor=world.requester, item=item, body="Any news?")
    run_queue()
    assert [m.subject.split("] ")[1].split(":")[0] for m in inbox.received] == ["Assigned"]


def test_defaults_are_on_and_requesters_see_no_internal_events(world):
    assert all(actions.preferences_of(world.agent).values())
    assert "work_note" in actions.preferences_of(world.agent)
    # A requester may be the requester of a change too (DOMAIN.md §2.3 "requester notified").
    # Requesters can be approvers (a business owner), so the approval mails are theirs too.
    assert set(actions.preferences_of(world.requester)) == {
        "assigned",
        "commented",
        "resolved",
        "change_scheduled",
        "approval_requested",
        "approval_decided",
        "approval_rejected",
    }
    with pytest.raises(ValidationFailed):
        actions.set_preferences(
            actor=world.requester, user=world.requester, enabled={"sla_breach": False}
        )
    with pytest.raises(PermissionDenied):
        actions.set_preferences(actor=world.admin, user=world.agent, enabled={"assigned": False})


def test_the_profile_page_shows_and_saves_the_checkboxes(world, client):
    client.force_login(world.agent)
    page = client.get("/accounts/profile/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="notifications"' in html and 'value="sla_breach" checked' in html
    response = client.post(
        "/accounts/notifications/", {"event": ["assigned", "resolved", "sla_breach"]}
    )
    assert response.status_code == 302 and response["Location"].endswith("#notifications")
    stored = dict(Preference.objects.filter(user=world.agent).values_list("event", "enabled"))
    assert stored == {
        "assigned": True,
        "commented": False,
        "work_note": False,
        "resolved": True,
        "sla_warning": False,
        "sla_breach": True,
        "lifecycle_reminder": False,
        "change_scheduled": False,
        "approval_requested": False,
        "approval_decided": False,
        "approval_rejected": False,
    }
    html = client.get("/accounts/profile/").content.decode()
    assert 'value="commented">' in html and 'value="assigned" checked' in html


def test_saving_needs_post_and_a_login(world, client):
    assert client.get("/accounts/notifications/").status_code in (302, 405)
    client.force_login(world.agent)
    assert client.get("/accounts/notifications/").status_code == 405
