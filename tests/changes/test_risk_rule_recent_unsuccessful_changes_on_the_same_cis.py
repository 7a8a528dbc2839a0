"""Rule calculator, recent failures (DOMAIN.md §2.3 risk (a) "recent failed changes on same CI"):
an unsuccessful change on one of the same CIs within the policy's days makes a new change High,
naming the failed changes; older failures, other CIs and successful changes do not count."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from serval.changes import questionnaire
from serval.work.models import WorkItem
from tests.changes.risk_helpers import detail, implemented, make_change
from tests.cmdb.conftest import make_ci


def test_a_recent_failure_on_the_same_server_makes_the_next_change_high(world):
    server = make_ci(world.agent, "srv-fail", criticality="low")
    failed = implemented(
        world.agent,
        make_change(world.agent, cis=(server,), assignment_group=world.team.pk),
        "unsuccessful",
    )
    next_one = make_change(world.agent, cis=(server,))
    assert detail(next_one).risk_reasons == [
        {
            "method": "rule",
            "level": "high",
            "text": f"Recent unsuccessful changes on the same CIs: {failed.number}",
        }
    ]


def test_successful_changes_other_cis_and_old_failures_do_not_count(world):
    server, other = (
        make_ci(world.agent, "srv-a", criticality="low"),
        make_ci(world.agent, "srv-b", criticality="low"),
    )
    implemented(
        world.agent, make_change(world.agent, cis=(server,), assignment_group=world.team.pk)
    )
    old = implemented(
        world.agent,
        make_change(world.agent, cis=(other,), assignment_group=world.team.pk),
        "unsuccessful",
    )
    WorkItem.objects.filter(pk=old.pk).update(resolved_at=timezone.now() - timedelta(days=91))
    assert detail(make_change(world.agent, cis=(server,))).risk == "low"
    assert detail(make_change(world.agent, cis=(other,))).risk == "low"
    questionnaire.update_policy(actor=world.admin, recent_failure_days=120)
    assert detail(make_change(world.agent, cis=(other,))).risk == "high"


def test_zero_days_turns_the_rule_off(world):
    server = make_ci(world.agent, "srv-z", criticality="low")
    implemented(
        world.agent,
        make_change(world.agent, cis=(server,), assignment_group=world.team.pk),
        "unsuccessful",
    )
    questionnaire.update_policy(actor=world.admin, recent_failure_days=0)
    assert detail(make_change(world.agent, cis=(server,))).risk == "low"
