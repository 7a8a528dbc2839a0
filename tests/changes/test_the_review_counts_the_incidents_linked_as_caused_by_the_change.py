"""The review's "incidents caused" is not typed in (DOMAIN.md §2.3 PIR, issue 5 links): it is
the incidents linked to the change as caused by it; the review lists them and keeps its stored
count current."""

from __future__ import annotations

from serval.changes import review
from serval.changes.models import ChangeReview
from serval.work.models import WorkItemLink
from tests.changes.risk_helpers import (
    api_for,
    detail,
    fresh,
    implemented,
    incident,
    link_caused,
    make_change,
)


def test_caused_by_links_are_the_incidents_caused(world):
    change = implemented(world.agent, make_change(world.agent, assignment_group=world.team.pk))
    first, second, unrelated = (incident(world.agent) for _ in range(3))
    link_caused(world.agent, first, change)
    review.save_review(actor=world.agent, item=fresh(change), lessons="Draft.")
    assert ChangeReview.objects.get(pk=change.pk).incidents_caused == 1
    link_caused(world.agent, second, change)
    assert ChangeReview.objects.get(pk=change.pk).incidents_caused == 2  # kept current by the hook
    WorkItemLink.objects.create(
        tenant=world.tenant, source=unrelated, target=change, type="related", created_by=world.agent
    )
    body = api_for(world.agent).get(f"changes/{change.number}/review").json()
    assert [i["number"] for i in body["incidents"]] == sorted([first.number, second.number])
    assert body["incidents_caused"] == 2
    WorkItemLink.objects.filter(source=first).delete()
    review.links_changed(fresh(change))
    assert ChangeReview.objects.get(pk=change.pk).incidents_caused == 1
    review.complete_review(
        actor=world.agent, item=fresh(change), objectives_met=True, backout_executed=False
    )
    assert ChangeReview.objects.get(pk=change.pk).incidents_caused == 1


def test_the_card_links_to_each_incident(world):
    from tests.changes.risk_helpers import client_for

    change = implemented(world.agent, make_change(world.agent, assignment_group=world.team.pk))
    caused = incident(world.agent)
    link_caused(world.agent, caused, change)
    html = client_for(world.agent).get(f"/changes/review/{change.number}/").content.decode()
    assert f'href="/incidents/{caused.number}/"' in html or f"{caused.number}</a>" in html
    assert "data-incidents-caused>1<" in html
    assert detail(change).pk == change.pk
