"""The incident list API served from plain rows, in small single-table queries.

A page of 50 incidents as model instances validated by pydantic costs tens of milliseconds, and
the agent queue polls it constantly (benchmarks/README.md, issue 6). So the list reads the
items' own columns with `.values()`, then what they refer to — people, teams, organizations,
tenants, parents, the incident details, the impacted services — in one query per kind for the
whole page, builds the `IncidentOut` dicts and renders them with the API's own JSON renderer,
skipping response validation. One wide query joining the eleven related tables returned the same
rows, but PostgreSQL spent 20–60 ms *planning* it on every request (more than twelve relations
sends it to the genetic optimizer); each query here plans in well under a millisecond.

The shape is `IncidentOut` field for field, kept honest by
tests/api/test_incident_list_items_match_the_detail_representation.py.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from serval.cmdb import worklinks
from serval.core.models import Tenant
from serval.incidents import states as S
from serval.incidents.models import IncidentDetail
from serval.people.models import Organization, Team, User
from serval.work.models import WorkItem

COLUMNS = tuple(f.attname for f in WorkItem._meta.concrete_fields)
_DETAIL = (
    "work_item_id",
    "major_state",
    "major_proposed_by_id",
    "major_proposed_at",
    "major_manager_id",
    "major_promoted_at",
    "business_impact",
)
_ROW_PEOPLE = ("caller_id", "opened_by_id", "assignee_id", "resolved_by_id")
_DETAIL_PEOPLE = ("major_proposed_by_id", "major_manager_id")
_NO_DETAIL: dict[str, Any] = {
    "major_state": "",
    "major_proposed_by_id": None,
    "major_proposed_at": None,
    "major_manager_id": None,
    "major_promoted_at": None,
    "business_impact": "",
}


class RowItem:
    """A values() row seen as a work item, for the state machine's guards (columns only)."""

    __slots__ = ("_row",)

    def __init__(self, row: dict[str, Any]) -> None:
        self._row = row

    def __getattr__(self, name: str) -> Any:
        try:
            return self._row[name]
        except KeyError:
            raise AttributeError(name) from None


def _by_id(qs: QuerySet[Any], ids: set[Any], *fields: str) -> dict[int, tuple[Any, ...]]:
    ids.discard(None)
    if not ids:
        return {}
    return {row[0]: row[1:] for row in qs.filter(pk__in=ids).values_list("pk", *fields)}


def items(rows: list[dict[str, Any]], user: User) -> list[dict[str, Any]]:
    """`incident_out` for a page of values() rows (COLUMNS), without model instances."""
    if not rows:
        return []
    ids = [r["id"] for r in rows]
    details = {
        d["work_item_id"]: d
        for d in IncidentDetail.objects.filter(work_item_id__in=ids).values(*_DETAIL)
    }
    people = {
        pk: {"id": pk, "username": name, "display_name": f"{first} {last}".strip() or name}
        for pk, (name, first, last) in _by_id(
            User.objects.all(),
            {r[f] for r in rows for f in ("caller_id", "opened_by_id", "assignee_id")}
            | {r["resolved_by_id"] for r in rows}
            | {
                d[f] for d in details.values() for f in ("major_proposed_by_id", "major_manager_id")
            },
            "username",
            "first_name",
            "last_name",
        ).items()
    }
    teams = _by_id(Team.objects.all(), {r["assignment_group_id"] for r in rows}, "name")
    orgs = _by_id(Organization.objects.all(), {r["organization_id"] for r in rows}, "name")
    tenants = _by_id(Tenant.objects.all(), {r["tenant_id"] for r in rows}, "slug")
    parents = _by_id(WorkItem.objects.all(), {r["parent_id"] for r in rows}, "number")
    impacts = worklinks.impacted_by_item(ids, user)
    transitions: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    out = []
    for r in rows:
        allowed = tuple(S.INCIDENT.available(RowItem(r), user))
        moves = transitions.get(allowed)
        if moves is None:
            moves = transitions[allowed] = [
                {"to": t.target, "label": t.label, "requires": list(t.requires)} for t in allowed
            ]
        d = details.get(r["id"], _NO_DETAIL)
        group, org, parent = r["assignment_group_id"], r["organization_id"], r["parent_id"]
        out.append(
            {
                "id": r["id"],
                "number": r["number"],
                "tenant": tenants[r["tenant_id"]][0],
                "title": r["title"],
                "description": r["description"],
                "state": r["state"],
                "impact": r["impact"],
                "urgency": r["urgency"],
                "priority": r["priority"],
                "caller": people.get(r["caller_id"]),
                "opened_by": people.get(r["opened_by_id"]),
                "organization": None if org is None else {"id": org, "name": orgs[org][0]},
                "assignment_group": None
                if group is None
                else {"id": group, "name": teams[group][0]},
                "assignee": people.get(r["assignee_id"]),
                "service": r["service"],
                "configuration_item": r["configuration_item"],
                "category": r["category"],
                "channel": r["channel"],
                "due_date": r["due_date"],
                "parent": parents[parent][0] if parent in parents else None,
                "hold_reason": r["hold_reason"],
                "close_code": r["close_code"],
                "close_notes": r["close_notes"],
                "cancel_reason": r["cancel_reason"],
                "active": r["active"],
                "reassignment_count": r["reassignment_count"],
                "reopen_count": r["reopen_count"],
                "opened_at": r["opened_at"],
                "updated_at": r["updated_at"],
                "resolved_at": r["resolved_at"],
                "resolved_by": people.get(r["resolved_by_id"]),
                "closed_at": r["closed_at"],
                "version": r["version"],
                "major": {
                    "state": d["major_state"],
                    "proposed_by": people.get(d["major_proposed_by_id"]),
                    "proposed_at": d["major_proposed_at"],
                    "manager": people.get(d["major_manager_id"]),
                    "promoted_at": d["major_promoted_at"],
                    "business_impact": d["business_impact"],
                },
                "allowed_transitions": moves,
                "impacted_services": impacts.get(r["id"], []),
            }
        )
    return out
