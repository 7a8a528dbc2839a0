"""The incident page's SLA card: each clock with its status colour, a live countdown and the
business time used (DOMAIN.md §2.5 "Task SLA instance"; issue 3 "UI and API"). Requesters only
see customer SLAs, never OLA or UC clocks (DOMAIN.md §2.5; SECURITY-REFERENCE A4)."""

import re
from datetime import timedelta

from django.utils import timezone

from serval.incidents.actions import transition_incident
from serval.sla import actions as sla_actions
from serval.sla import engine
from serval.sla.models import SlaClock
from tests import factories as f
from tests.web.htmlcheck import active_content


def _statuses(html):
    return re.findall(r'class="sla-clock sla-status-(\w+)" data-sla-status="\1"', html)


def test_running_clocks_are_ok_with_a_countdown_and_a_progress_class(world, signed_in):
    item = f.make_incident(world.agent, impact=1, urgency=1, caller=world.requester.pk)
    html = signed_in(world.agent).get(f"/incidents/{item.number}/").content.decode()
    assert 'id="sla"' in html
    assert _statuses(html) == ["ok", "ok"]
    assert "P1 response" in html and "P1 resolution" in html
    response = SlaClock.objects.get(work_item=item, definition__name="P1 response")
    assert f'data-deadline="{response.breach_at.isoformat()}"' in html
    assert 'data-future="in {t}"' in html and 'data-past="overdue by {t}"' in html
    assert re.search(r'class="progress-bar bg-green pct-\d+"', html)
    assert active_content(html) == []


def test_paused_met_and_breached_clocks_get_their_colours(world, signed_in):
    item = f.make_incident(
        world.agent, impact=1, urgency=1, caller=world.requester.pk, assignment_group=world.team.pk
    )
    transition_incident(
        actor=world.agent, item=item, to="on_hold", hold_reason="awaiting_caller", comment="?"
    )
    html = signed_in(world.agent).get(f"/incidents/{item.number}/").content.decode()
    # response was met by leaving New; resolution is paused awaiting the caller.
    assert _statuses(html) == ["met", "paused"]
    assert "paused since" in html and "met at" in html
    assert "bg-secondary pct-" in html

    other = f.make_incident(world.agent, impact=1, urgency=1)
    clock = SlaClock.objects.get(work_item=other, definition__name="P1 response")
    engine.check_clock(clock.pk, now=clock.breach_at + timedelta(minutes=5))
    html = signed_in(world.agent).get(f"/incidents/{other.number}/").content.decode()
    assert "breached" in _statuses(html)
    assert "overdue by" in html
    assert re.search(r'class="progress-bar bg-red pct-\d+"', html)


def test_older_cycles_are_folded_away(world, signed_in):
    item = f.make_incident(world.agent, impact=1, urgency=1, assignment_group=world.team.pk)
    transition_incident(
        actor=world.agent, item=item, to="resolved", close_code="solved_remotely", close_notes="x"
    )
    transition_incident(actor=world.agent, item=item, to="in_progress")
    html = signed_in(world.agent).get(f"/incidents/{item.number}/").content.decode()
    assert '<details class="sla-older' in html
    assert "1 earlier cycle" in html


def test_requesters_do_not_see_ola_clocks(world, signed_in):
    sla_actions.create_definition(
        actor=world.admin,
        name="Desk OLA",
        type="ola",
        target="resolution",
        duration_seconds=3600,
        conditions={"start": [{"field": "kind", "op": "eq", "value": "incident"}]},
    )
    item = f.make_incident(world.agent, impact=1, urgency=1, caller=world.requester.pk)
    agent_html = signed_in(world.agent).get(f"/incidents/{item.number}/").content.decode()
    assert "Desk OLA" in agent_html
    requester_html = signed_in(world.requester).get(f"/incidents/{item.number}/").content.decode()
    assert "P1 resolution" in requester_html
    assert "Desk OLA" not in requester_html  # neither the card nor the timeline
    assert timezone.now()  # the page rendered in the requester's zone without error
