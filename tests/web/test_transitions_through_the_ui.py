"""DESIGN.md rule 3: transition buttons come from the state machine; each posts its fields."""

from serval.work.models import WorkItem
from tests import factories as f


def _post(client, inc, to, **fields):
    data = {"to": to, "version": str(WorkItem.objects.get(pk=inc.pk).version), **fields}
    return client.post(f"/incidents/{inc.number}/transition", data)


def test_buttons_match_the_state_machine(world, signed_in):
    inc = f.make_incident(world.agent)
    html = signed_in(world.agent).get(f"/incidents/{inc.number}/").content.decode()
    for target in ("in_progress", "on_hold", "resolved", "cancelled"):
        assert f'data-transition="{target}"' in html
    assert 'data-transition="closed"' not in html
    requester_html = signed_in(world.requester).get(f"/incidents/{inc.number}/")
    assert requester_html.status_code == 404  # not theirs


def test_start_resolve_close_and_reopen(world, signed_in):
    agent = signed_in(world.agent)
    inc = f.make_incident(world.agent, caller=world.requester.username)
    r = _post(agent, inc, "in_progress", assignment_group=str(world.team.pk), assignee="")
    assert r.status_code == 302
    assert WorkItem.objects.get(pk=inc.pk).state == "in_progress"
    r = _post(agent, inc, "resolved", close_code="solved_remotely", close_notes="Rebooted")
    assert r.status_code == 302
    item = WorkItem.objects.get(pk=inc.pk)
    assert (item.state, item.close_notes) == ("resolved", "Rebooted")
    requester = signed_in(world.requester)
    page = requester.get(f"/incidents/{inc.number}/").content.decode()
    assert 'data-transition="closed"' in page and 'data-transition="in_progress"' in page
    assert _post(requester, inc, "closed").status_code == 302
    assert WorkItem.objects.get(pk=inc.pk).state == "closed"


def test_missing_required_fields_reopen_the_dialog_with_errors(world, signed_in):
    inc = f.make_incident(world.agent)
    response = _post(signed_in(world.agent), inc, "resolved", close_code="", close_notes="")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="dlg-transition-resolved"' in html and "data-open-on-load" in html
    assert WorkItem.objects.get(pk=inc.pk).state == "new"


def test_awaiting_caller_needs_a_comment(world, signed_in):
    inc = f.make_incident(world.agent, assignment_group=world.team.pk)
    client = signed_in(world.agent)
    group = str(world.team.pk)
    response = _post(
        client, inc, "on_hold", hold_reason="awaiting_caller", comment="", assignment_group=group
    )
    assert "a comment is required" in response.content.decode()
    assert WorkItem.objects.get(pk=inc.pk).state == "new"
    response = _post(
        client,
        inc,
        "on_hold",
        hold_reason="awaiting_caller",
        comment="Which PC?",
        assignment_group=group,
    )
    assert response.status_code == 302
    assert WorkItem.objects.get(pk=inc.pk).hold_reason == "awaiting_caller"


def test_a_transition_the_machine_does_not_offer_is_refused(world, signed_in):
    inc = f.make_incident(world.agent)
    response = _post(signed_in(world.agent), inc, "closed")
    assert response.status_code == 302
    assert WorkItem.objects.get(pk=inc.pk).state == "new"


def test_a_stale_transition_shows_the_conflict(world, signed_in):
    inc = f.make_incident(world.agent)
    client = signed_in(world.agent)
    data = {"to": "cancelled", "version": "0", "cancel_reason": "Duplicate"}
    response = client.post(f"/incidents/{inc.number}/transition", data)
    assert "This incident changed while you were working on it" in response.content.decode()
    assert WorkItem.objects.get(pk=inc.pk).state == "new"
