"""Filters every work-item list page offers the same way (state, team, assignee).

The incident and change list forms each validate their own fields, then narrow their
visibility-filtered queryset through these, so "open", "my teams" and "unassigned" mean one
thing on every list.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

if TYPE_CHECKING:
    from serval.people.models import User
    from serval.work.models import WorkItem


def by_state(
    qs: QuerySet[WorkItem], state: str | None, open_states: Iterable[str]
) -> QuerySet[WorkItem]:
    """ "open" (the default) is the kind's open states, "all" is everything, else one state."""
    state = state or "open"
    if state == "open":
        return qs.filter(state__in=list(open_states))
    if state != "all":
        return qs.filter(state=state)
    return qs


def by_routing(qs: QuerySet[WorkItem], data: Mapping[str, Any], user: User) -> QuerySet[WorkItem]:
    """`team` ("mine" or an id) and `assignee` ("me", "unassigned" or an id)."""
    team = data.get("team")
    if team == "mine":
        qs = qs.filter(assignment_group__in=user.teams.all())
    elif team:
        qs = qs.filter(assignment_group_id=int(team))
    assignee = data.get("assignee")
    if assignee == "me":
        qs = qs.filter(assignee=user)
    elif assignee == "unassigned":
        qs = qs.filter(assignee__isnull=True)
    elif assignee:
        qs = qs.filter(assignee_id=int(assignee))
    return qs
