"""DOMAIN.md §2.3: authorizing a change with conflicts needs an explicit override with a reason.
The API tells clients so (`conflict_override_reason` in the `scheduled` move's `requires`) and
the change page's Schedule dialog asks a change manager for the reason."""

from __future__ import annotations

from serval.changes import actions
from serval.work.models import WorkItem
from tests import factories as f
from tests.api.conftest import Api
from tests.changes.conftest import make_change


def test_scheduling_over_a_conflict_asks_for_and_records_the_reason(world, estate, client):
    first = make_change(world.agent, cis=(estate.server,))
    actions.transition_change(actor=world.agent, item=first, to="assess")  # no policies: scheduled
    second = make_change(world.agent2, cis=(estate.server,), change_type="emergency")
    actions.transition_change(actor=world.agent2, item=second, to="authorize")
    assert WorkItem.objects.get(pk=second.pk).state == "authorize"  # blocked by the conflict

    body = Api(f.token_for(world.manager)).get(f"changes/{second.number}").json()
    assert body["uncovered_conflicts"] >= 1 and body["conflict_status"] == "conflicts"
    move = next(t for t in body["allowed_transitions"] if t["to"] == "scheduled")
    assert "conflict_override_reason" in move["requires"]

    client.force_login(world.manager)
    page = client.get(f"/changes/{second.number}/").content.decode()
    assert 'id="dlg-transition-scheduled"' in page
    assert "Reason to schedule despite the conflicts" in page and "data-conflicts-badge" in page
    missing = client.post(
        f"/changes/{second.number}/transition", {"to": "scheduled", "version": body["version"]}
    )
    assert missing.status_code == 200 and "data-open-on-load" in missing.content.decode()
    done = client.post(
        f"/changes/{second.number}/transition",
        {
            "to": "scheduled",
            "version": body["version"],
            "conflict_override_reason": "Same maintenance crew; sequenced by hand.",
        },
    )
    assert done.status_code == 302
    assert WorkItem.objects.get(pk=second.pk).state == "scheduled"
    page = client.get(f"/changes/{second.number}/").content.decode()
    assert "scheduled it despite" in page and "Same maintenance crew" in page
    after = Api(f.token_for(world.manager)).get(f"changes/{second.number}").json()
    assert after["conflict_override"]["reason"] == "Same maintenance crew; sequenced by hand."
