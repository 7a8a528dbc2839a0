"""The timeline tells SLA clock events in words and draws them quieter than people's entries;
OLA events are journaled internal, so requesters never get them (DOMAIN.md §2.5; A4)."""

from datetime import timedelta

from serval.core.models import JournalEvent
from serval.incidents.actions import transition_incident
from serval.sla import actions as sla_actions
from serval.sla import engine
from serval.sla.models import SlaClock
from tests import factories as f


def test_started_paused_resumed_warning_breached_and_met_read_as_sentences(world, signed_in):
    item = f.make_incident(
        world.agent, impact=1, urgency=1, caller=world.requester.pk, assignment_group=world.team.pk
    )
    resolution = SlaClock.objects.get(work_item=item, definition__name="P1 resolution")
    engine.check_clock(resolution.pk, now=resolution.breach_at + timedelta(minutes=1))
    transition_incident(
        actor=world.agent, item=item, to="on_hold", hold_reason="awaiting_caller", comment="?"
    )
    transition_incident(actor=world.agent, item=item, to="in_progress")
    html = signed_in(world.agent).get(f"/incidents/{item.number}/").content.decode()
    assert "Response SLA ‘P1 response’ started — due " in html
    assert "Resolution SLA ‘P1 resolution’ reached 50 % of its time" in html
    assert "Resolution SLA ‘P1 resolution’ reached 75 % of its time" in html
    assert "Resolution SLA ‘P1 resolution’ breached" in html
    assert "Response SLA ‘P1 response’ met" in html
    assert "Resolution SLA ‘P1 resolution’ paused" in html
    assert "Resolution SLA ‘P1 resolution’ resumed" in html
    assert 'class="timeline-entry timeline-system verb-sla_started' in html
    assert 'data-verb="sla_breached"' in html


def test_ola_events_are_internal_and_hidden_from_requesters(world, signed_in):
    sla_actions.create_definition(
        actor=world.admin,
        name="Network OLA",
        type="ola",
        target="response",
        duration_seconds=600,
        conditions={"start": [{"field": "kind", "op": "eq", "value": "incident"}]},
    )
    item = f.make_incident(world.agent, caller=world.requester.pk)
    started = JournalEvent.objects.get(
        subject_id=item.pk, verb="sla_started", data__definition="Network OLA"
    )
    assert started.internal is True
    agent_html = signed_in(world.agent).get(f"/incidents/{item.number}/").content.decode()
    assert "Response OLA ‘Network OLA’ started" in agent_html
    requester_html = signed_in(world.requester).get(f"/incidents/{item.number}/").content.decode()
    assert "Network OLA" not in requester_html
    assert "Response SLA ‘P" in requester_html  # the customer SLA's events remain
