"""DOMAIN.md §2.1: Resolved incidents auto-close after N days; N = 0 disables; the job is
idempotent (DESIGN.md rule 4: a job that runs twice does no harm twice)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from serval.core import journal
from serval.core.models import JournalEvent
from serval.incidents import actions as incidents
from serval.work.models import WorkItem
from tests import factories as f


def _resolved(world, days_ago: float):
    inc = f.make_incident(world.agent)
    inc = incidents.transition_incident(
        actor=world.agent, item=inc, to="resolved", close_code="solved_permanently", close_notes="x"
    )
    WorkItem.objects.filter(pk=inc.pk).update(resolved_at=timezone.now() - timedelta(days=days_ago))
    return inc


def test_old_resolutions_close_and_recent_ones_stay(world):
    old, recent, open_ = _resolved(world, 8), _resolved(world, 6), f.make_incident(world.agent)
    assert incidents.close_resolved_incidents(days=7) == 1
    states = {i.pk: i for i in WorkItem.objects.filter(pk__in=[old.pk, recent.pk, open_.pk])}
    assert states[old.pk].state == "closed" and not states[old.pk].active
    assert states[old.pk].closed_at is not None
    assert states[recent.pk].state == "resolved" and states[open_.pk].state == "new"
    last = (
        JournalEvent.objects.filter(subject_type="work_item", subject_id=old.pk)
        .exclude(verb__startswith="sla_")
        .last()
    )
    assert last.verb == "transition" and last.actor_id is None
    assert last.data["to"] == "closed"


def test_zero_days_disables_the_job(world):
    inc = _resolved(world, 400)
    assert incidents.close_resolved_incidents(days=0) == 0
    assert incidents.close_resolved_incidents(days=-3) == 0
    inc.refresh_from_db()
    assert inc.state == "resolved"


def test_running_twice_closes_once(world):
    inc = _resolved(world, 30)
    assert incidents.close_resolved_incidents(days=7) == 1
    version = WorkItem.objects.get(pk=inc.pk).version
    events = JournalEvent.objects.count()
    assert incidents.close_resolved_incidents(days=7) == 0
    assert WorkItem.objects.get(pk=inc.pk).version == version
    assert JournalEvent.objects.count() == events
    assert list(journal.verify()) == []


def test_now_can_be_given_for_a_catch_up_run(world):
    inc = _resolved(world, 1)
    later = timezone.now() + timedelta(days=10)
    assert incidents.close_resolved_incidents(days=7, now=later) == 1
    inc.refresh_from_db()
    assert inc.state == "closed"
