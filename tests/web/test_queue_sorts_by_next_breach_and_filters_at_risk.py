"""Queues sort by the next breach and filter to items at risk — a running clock past 75 % or
breached (issue 3 "UI and API"; DOMAIN.md §2.5). STYLE.md rule 14: the list stays flat in
queries with the SLA column."""

from datetime import timedelta

from serval.incidents.actions import transition_incident
from serval.sla import engine
from serval.sla.models import SlaClock
from tests import factories as f


def _order(html, numbers):
    return sorted(numbers, key=html.index)


def test_next_breach_sort_puts_the_soonest_first_and_items_without_clocks_last(world, signed_in):
    p4 = f.make_incident(world.agent, impact=3, urgency=2, title="Slow")  # P4 on office hours
    p1 = f.make_incident(world.agent, impact=1, urgency=1, title="Down")  # P1: 15 min
    p2 = f.make_incident(world.agent, impact=1, urgency=2, title="Bad")  # P2: 30 min
    held = f.make_incident(
        world.agent, impact=1, urgency=1, title="Held", assignment_group=world.team.pk
    )
    transition_incident(
        actor=world.agent, item=held, to="on_hold", hold_reason="awaiting_caller", comment="?"
    )
    html = signed_in(world.agent).get("/incidents/?sort=breach").content.decode()
    # `held` has no running clock: response met, resolution paused.
    assert _order(html, [p4.number, p1.number, p2.number, held.number]) == [
        p1.number,
        p2.number,
        p4.number,
        held.number,
    ]
    assert "Next breach" in html
    assert 'data-sla-status="paused"' in html


def test_at_risk_shows_only_warned_or_breached_items(world, signed_in):
    calm = f.make_incident(world.agent, impact=1, urgency=1, title="Calm")
    warned = f.make_incident(world.agent, impact=1, urgency=1, title="Warned")
    breached = f.make_incident(world.agent, impact=1, urgency=1, title="Breached")
    w = SlaClock.objects.get(work_item=warned, definition__name="P1 resolution")
    engine.check_clock(w.pk, now=w.start_at + timedelta(hours=3, minutes=10))  # past 75 % of 4 h
    b = SlaClock.objects.get(work_item=breached, definition__name="P1 response")
    engine.check_clock(b.pk, now=b.breach_at + timedelta(minutes=1))
    client = signed_in(world.agent)
    html = client.get("/incidents/?at_risk=1").content.decode()
    assert warned.number in html and breached.number in html
    assert calm.number not in html
    assert 'data-sla-status="breached"' in html
    assert "1 filter" in html
    everything = client.get("/incidents/").content.decode()
    assert calm.number in everything


def test_the_nav_and_my_work_link_to_the_at_risk_view(world, signed_in):
    html = signed_in(world.agent).get("/").content.decode()
    assert html.count("/incidents/?at_risk=1&amp;sort=breach") >= 2


def test_list_with_sla_column_and_filter_is_flat_in_queries(
    world, signed_in, django_assert_max_num_queries
):
    client = signed_in(world.agent)
    for i in range(20):
        f.make_incident(world.agent, title=f"Item {i}", impact=1, urgency=1)
    with django_assert_max_num_queries(12):
        response = client.get("/incidents/?sort=breach&at_risk=1")
    assert response.status_code == 200
    with django_assert_max_num_queries(12):
        response = client.get("/incidents/?sort=breach")
    assert response.content.decode().count("data-deadline=") >= 20


def test_export_keeps_one_row_per_item_when_sorted_by_breach(world, signed_in):
    for i in range(3):
        f.make_incident(world.agent, title=f"Row {i}", impact=1, urgency=1)
    response = signed_in(world.agent).get("/incidents/export.csv?sort=breach")
    body = b"".join(response.streaming_content).decode()
    assert len([line for line in body.splitlines() if "Row " in line]) == 3
