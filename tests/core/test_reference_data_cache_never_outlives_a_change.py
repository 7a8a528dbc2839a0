"""The priority matrix, SLA definitions and calendars are cached per process
(serval.core.refcache, issue 6) but never used after a change: not after an admin edit in this
process, not after one committed by another process, and a rolled-back edit never counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction

from serval.core import refcache
from serval.core.models import Sequence
from serval.incidents import actions as incidents
from serval.sla import actions as sla
from serval.sla.models import SlaClock, SlaDefinition
from tests import factories as f


def _p1_response_minutes(world) -> float:
    item = f.make_incident(world.agent, impact=1, urgency=1)
    clock = SlaClock.objects.get(work_item=item, definition__name="P1 response")
    return (clock.breach_at - clock.start_at) / timedelta(minutes=1)


def test_an_admin_edit_is_seen_by_the_next_write(world):
    assert _p1_response_minutes(world) == 15  # cached from here on
    definition = SlaDefinition.objects.get(name="P1 response")
    sla.update_definition(actor=world.admin, definition=definition, duration_seconds=20 * 60)
    assert _p1_response_minutes(world) == 20
    incidents.set_priority_rule(actor=world.admin, impact=1, urgency=1, priority=2)
    assert f.make_incident(world.agent, impact=1, urgency=1).priority == 2


def test_a_change_committed_by_another_process_is_seen(world):
    assert _p1_response_minutes(world) == 15
    # What another process's action leaves behind: the rows, and a new reference version.
    SlaDefinition.objects.filter(name="P1 response").update(duration_seconds=25 * 60)
    Sequence.objects.update_or_create(name=refcache.NAME, defaults={"value": 12345})
    assert _p1_response_minutes(world) == 25


def test_a_rolled_back_edit_never_counts(world):
    assert _p1_response_minutes(world) == 15
    definition = SlaDefinition.objects.get(name="P1 response")
    with pytest.raises(RuntimeError), transaction.atomic():
        sla.update_definition(actor=world.admin, definition=definition, duration_seconds=5 * 60)
        assert _p1_response_minutes(world) == 5  # the edit's own transaction sees it
        raise RuntimeError("rolled back")
    assert _p1_response_minutes(world) == 15
