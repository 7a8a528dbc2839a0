"""Helpers for the risk, review and outcome-report tests (DOMAIN.md §2.3, §2.12).

Changes are walked along their path through the real actions. `caused_by` links are written
as rows because the work-item link action is another part's (it calls
`serval.changes.review.links_changed` for the change side, which `link_caused` does too).
"""

from __future__ import annotations

from typing import Any

from django.test import Client

from serval.changes import actions, review
from serval.changes.models import ChangeDetail, RiskQuestion
from serval.people.models import User
from serval.work.models import LinkType, WorkItem, WorkItemLink
from tests import factories as f
from tests.api.conftest import Api, assert_problem
from tests.changes.conftest import make_change

__all__ = [
    "Api",
    "answer_all",
    "api_for",
    "assert_problem",
    "client_for",
    "closed",
    "detail",
    "fresh",
    "implemented",
    "incident",
    "link_caused",
    "make_change",
]


def api_for(user: User | None) -> Api:
    """A JSON API client with a fresh bearer token of this user (None: anonymous)."""
    return Api(f.token_for(user) if user is not None else None)


def fresh(item: WorkItem) -> WorkItem:
    return WorkItem.objects.get(pk=item.pk)


def detail(item: WorkItem) -> ChangeDetail:
    return ChangeDetail.objects.get(pk=item.pk)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def implemented(actor: User, change: WorkItem, outcome: str = "successful") -> WorkItem:
    """Walk a change (normal or emergency, no approval policy) into Review with an outcome."""
    item = fresh(change)
    kind = detail(item).change_type
    path = {"normal": ("assess", "implement"), "emergency": ("authorize", "scheduled", "implement")}
    for to in path.get(kind, ("scheduled", "implement")):
        item = fresh(item)
        if item.state != to:
            manager = to == "scheduled" and kind == "emergency"
            mover = (
                User.objects.filter(role="manager", tenant=item.tenant).first()
                if manager
                else actor
            )
            actions.transition_change(actor=mover or actor, item=item, to=to)
    actions.transition_change(
        actor=actor,
        item=fresh(item),
        to="review",
        close_code=outcome,
        close_notes="Outcome recorded.",
    )
    return fresh(item)


def closed(actor: User, change: WorkItem, outcome: str = "successful") -> WorkItem:
    item = implemented(actor, change, outcome)
    if actions.review_required(item, detail(item)):
        review.complete_review(
            actor=actor,
            item=item,
            objectives_met=outcome != "unsuccessful",
            backout_executed=outcome == "unsuccessful",
            lessons="Noted.",
        )
    actions.transition_change(actor=actor, item=fresh(item), to="closed")
    return fresh(item)


def link_caused(actor: User, incident: WorkItem, change: WorkItem) -> WorkItemLink:
    link = WorkItemLink.objects.create(
        tenant_id=change.tenant_id,
        source=incident,
        target=change,
        type=LinkType.CAUSED_BY,
        created_by=actor,
    )
    review.links_changed(change)
    return link


def answer_all(actor: User, change: WorkItem, pick: int = 0) -> None:
    """Answer every active question with its `pick`-th option (0: the lowest score)."""
    from serval.changes import risk

    answers: dict[Any, Any] = {}
    for question in RiskQuestion.objects.filter(active=True).prefetch_related("options"):
        options = sorted(question.options.all(), key=lambda o: (o.score, o.pk))
        answers[question.pk] = options[min(pick, len(options) - 1)].pk
    risk.answer(actor=actor, item=fresh(change), answers=answers)


def incident(actor: User, **fields: Any) -> WorkItem:
    return f.make_incident(actor, **fields)
