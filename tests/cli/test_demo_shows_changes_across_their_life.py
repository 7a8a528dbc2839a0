"""`serval demo` includes change enablement (DOMAIN.md §2.3), so the change list, the calendar,
approvals and the outcome report open with something to look at: changes in every part of
their life, one waiting for the CAB and the service owners with its conflicts explained, a
patching window and a freeze, approved templates, and a review of an unsuccessful change."""

from __future__ import annotations

import io

from django.core.management import call_command

from serval.approvals import engine
from serval.approvals.models import Approval, ApprovalPolicy
from serval.approvals.seed import POLICY_NAMES, seed_now
from serval.changes.models import ChangeConflict, ChangeReview, ChangeTemplate, ChangeWindow
from serval.people.models import User
from serval.work.models import WorkItem, WorkItemLink
from tests.notifications.conftest import run_queue


def _seeded_authorities_on() -> None:
    """The test session switches the seeded policies off; a real install has them on."""
    seed_now()
    ApprovalPolicy.objects.filter(name__in=POLICY_NAMES, tenant__parent=None).update(active=True)


def test_demo_has_changes_in_each_state_with_approvals_conflicts_and_reviews(db):
    _seeded_authorities_on()
    out = io.StringIO()
    call_command("demo", "--no-progress", stdout=out)
    assert "6 changes" in out.getvalue()
    run_queue()  # what `serval serve`'s worker does first: the other sides of conflicts

    changes = {c.title: c for c in WorkItem.objects.filter(kind="change")}
    states = {c.state for c in changes.values()}
    assert {"new", "authorize", "scheduled", "closed"} <= states

    upgrade = changes["Upgrade PostgreSQL 13 to 16 on db-erp-01"]
    assert (upgrade.state, upgrade.change.risk) == ("authorize", "high")
    rules = set(ChangeConflict.objects.filter(change=upgrade).values_list("rule", flat=True))
    assert {"related_scheduled", "ci_blackout"} <= rules
    firmware = changes["Firmware update on srv-db-01"]
    assert ChangeConflict.objects.filter(change=firmware, other_change=upgrade).exists()

    hannah = User.objects.get(username="hannah")  # Payroll's business owner, a requester
    waiting = Approval.objects.filter(engine.awaiting(hannah), work_item=upgrade)
    assert waiting.count() == 1

    assert ChangeTemplate.objects.filter(approved_at__isnull=False).count() == 2
    assert set(ChangeWindow.objects.values_list("kind", flat=True)) == {"maintenance", "blackout"}
    failed = changes["Payroll export: switch to the new bank file format"]
    assert (failed.state, failed.close_code) == ("closed", "unsuccessful")
    assert ChangeReview.objects.get(change_id=failed.pk).completed_at is not None
    assert WorkItemLink.objects.filter(target=failed, type="caused_by").exists()
    assert failed.change.conflict_override_reason  # scheduled over a conflict, on record
