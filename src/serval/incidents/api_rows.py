"""The incident list API served from plain rows, in small single-table queries.

A page of 50 incidents as model instances validated by pydantic costs tens of milliseconds, and
the agent queue polls it constantly (benchmarks/README.md, issue 6). So the list reads the
items' own columns and their incident detail with `.values()`, then the names of what they refer
to — people, teams, organizations, tenants, parents — in one UNION ALL query, and the impacted
services in one more; builds the `IncidentOut` dicts and renders them with the API's own JSON
renderer, skipping response validation. One wide query joining the eleven related tables
returned the same rows, but PostgreSQL spent 20–60 ms *planning* it on every request at a
million items (past twelve relations it switches to the genetic optimizer); each query here
plans in well under a millisecond.

The shape is `IncidentOut` field for field, kept honest by
tests/api/test_incident_list_items_match_the_detail_representation.py.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.db import connection
from django.db.models import Model

from serval.cmdb import worklinks
from serval.core import rawrows
from serval.core.lookups import id_list_param, id_list_sql
from serval.core.models import Tenant
from serval.core.rawrows import column, joined, table, with_conditions
from serval.incidents import states as S
from serval.people.models import Organization, Team, User
from serval.work.models import WorkItem
from serval.work.querysets import WorkItemQuerySet

DETAIL = (
    "major_state",
    "major_proposed_by_id",
    "major_proposed_at",
    "major_manager_id",
    "major_promoted_at",
    "business_impact",
)
# The items' own columns and their incident detail (one-to-one: a single cheap join).
COLUMNS = (
    *(f.attname for f in WorkItem._meta.concrete_fields),
    *(f"incident__{name}" for name in DETAIL),
)


@cache
def rows_of() -> WorkItemQuerySet:
    """`WorkItem.objects.values(*COLUMNS)`, built once per process and filtered per request.

    Resolving the sixty names costs ~0.7 ms of every list request (issue 6); a queryset is
    never evaluated here, and every filter on it works on a clone, so the one built here is
    never changed.
    """
    return WorkItem.objects.values(*COLUMNS)  # type: ignore[return-value]


@cache
def _statement_parts(vendor: str, order_by: tuple[Any, ...]) -> tuple[str, str, list[Any]]:
    """`SELECT <COLUMNS> FROM <item> LEFT JOIN <detail>`, `ORDER BY …` for one ordering, and
    the converters of the columns, taken once per process from the ORM's own compilation.

    `vendor` and `order_by` (the queryset's ordering terms, hashable expressions) key it. Only
    the conditions vary between requests; see `fetch`.
    """
    compiler = rows_of().order_by(*order_by).query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    head, marker, order = sql.partition(" ORDER BY ")
    if params or not marker or " WHERE " in head:
        raise AssertionError(f"unexpected statement for the list: {sql}")
    converters = [
        (index, found)
        for index, (expression, _sql, _alias) in enumerate(compiler.select)
        if (found := compiler.get_converters([expression]).get(0))
    ]
    return head, order, [(index, pair[0], pair[1]) for index, pair in converters]


def fetch(qs: WorkItemQuerySet, count: int) -> list[dict[str, Any]]:
    """The first `count` rows of a `rows_of()` queryset as `list(qs[:count])` returns them,
    with only its conditions compiled.

    Compiling the list's statement cost ~0.5 ms of every queue and search request, two thirds
    of it the sixty columns, the join and the ordering, which never change (issue 6). So those
    come from `_statement_parts`, and the ORM compiles only the WHERE clause — built from the
    same `visible_to` and filters as before, so visibility is still decided in one place
    (DESIGN.md rule 2). A queryset joining anything more (a filter through a relation) is run
    by the ORM as it was. tests/api/test_the_incident_list_statement_matches_the_orms.py
    compares both on many filters.
    """
    query = qs.query
    if (
        joined(query) != joined(rows_of().query)  # the same tables, joined the same way
        or query.distinct
        or query.extra_select
        or query.annotation_select
        or query.low_mark
    ):
        return list(qs[:count])  # type: ignore[arg-type]  # a values() queryset: dicts
    head, order, converters = _statement_parts(connection.vendor, tuple(query.order_by))
    statement = with_conditions(query, head, f"ORDER BY {order} LIMIT {int(count)}")
    if statement is None:
        return []
    out = []
    for row in rawrows.rows(*statement):
        values = list(row)
        for index, functions, expression in converters:
            value = values[index]
            for convert in functions:
                value = convert(value, expression, connection)
            values[index] = value
        out.append(dict(zip(COLUMNS, values, strict=True)))
    return out


_ROW_PEOPLE = ("caller_id", "opened_by_id", "assignee_id", "resolved_by_id")
_DETAIL_PEOPLE = ("incident__major_proposed_by_id", "incident__major_manager_id")


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


_SOURCES: dict[str, tuple[type[Model], tuple[str, ...]]] = {
    "user": (User, ("username", "first_name", "last_name")),
    "team": (Team, ("name",)),
    "org": (Organization, ("name",)),
    "tenant": (Tenant, ("slug",)),
    "parent": (WorkItem, ("number",)),
}


@cache
def _lookup_sql(kind: str, vendor: str) -> str:
    """`SELECT kind, pk, a, b, c FROM table WHERE pk is one of a list` (one list parameter).

    Written from the models' metadata once per process: the ORM compiled these five parts on
    every request, about 1 ms of the queue's ~7 (issue 6), and the text never varies. The ids
    arrive as one parameter — an array on PostgreSQL, a JSON list read by `json_each` on
    SQLite — so the query text is the same for any page.
    """
    model, fields = _SOURCES[kind]
    columns = [column(model, name) for name in fields]
    columns += ["''"] * (3 - len(fields))
    pk = column(model, model._meta.pk.name)  # type: ignore[union-attr]
    member = id_list_sql(vendor)
    # Only identifiers from the models' metadata and a key of _SOURCES go into the text.
    return (
        f"SELECT '{kind}', {pk}, {', '.join(columns)} FROM {table(model)} "  # noqa: S608
        f"WHERE {pk} {member}"
    )


def _lookups(wanted: dict[str, set[Any]]) -> dict[str, dict[int, tuple[Any, ...]]]:
    """Names of the referenced people, teams, organizations, tenants and parents: one UNION ALL
    query for all of them (one round trip instead of five)."""
    found: dict[str, dict[int, tuple[Any, ...]]] = {kind: {} for kind in _SOURCES}
    parts, params = [], []
    vendor = connection.vendor
    for kind in _SOURCES:
        ids = [pk for pk in wanted.get(kind, set()) if pk is not None]
        if ids:
            parts.append(_lookup_sql(kind, vendor))
            params.append(id_list_param(ids, vendor))
    if parts:
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            for kind, pk, *values in cursor.fetchall():
                found[kind][pk] = tuple(values)
    return found


def items(rows: list[dict[str, Any]], user: User, *, linked: bool = True) -> list[dict[str, Any]]:
    """`incident_out` for a page of values() rows (COLUMNS), without model instances.

    `linked=False`: the items can have no impacted services yet (just created: a create links
    no CI or service), so they are not looked up."""
    if not rows:
        return []
    ids = [r["id"] for r in rows]
    found = _lookups(
        {
            "user": {r[f] for r in rows for f in (*_ROW_PEOPLE, *_DETAIL_PEOPLE)},
            "team": {r["assignment_group_id"] for r in rows},
            "org": {r["organization_id"] for r in rows},
            "tenant": {r["tenant_id"] for r in rows},
            "parent": {r["parent_id"] for r in rows},
        }
    )
    people = {
        pk: {"id": pk, "username": name, "display_name": f"{first} {last}".strip() or name}
        for pk, (name, first, last) in found["user"].items()
    }
    teams, orgs, tenants, parents = (found[k] for k in ("team", "org", "tenant", "parent"))
    impacts = worklinks.impacted_by_item(ids, user) if linked else {}
    transitions: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    agent = user.is_agent
    out = []
    for r in rows:
        allowed = tuple(S.INCIDENT.available(RowItem(r), user))
        moves = transitions.get(allowed)
        if moves is None:
            moves = transitions[allowed] = [
                {"to": t.target, "label": t.label, "requires": list(t.requires)} for t in allowed
            ]
        has_detail = r["incident__major_state"] is not None
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
                "sla_next_breach_at": r["sla_next_breach_at"] if agent else None,
                "version": r["version"],
                "major": {
                    "state": r["incident__major_state"] if has_detail else "",
                    "proposed_by": people.get(r["incident__major_proposed_by_id"]),
                    "proposed_at": r["incident__major_proposed_at"],
                    "manager": people.get(r["incident__major_manager_id"]),
                    "promoted_at": r["incident__major_promoted_at"],
                    "business_impact": r["incident__business_impact"] if has_detail else "",
                },
                "allowed_transitions": moves,
                "impacted_services": impacts.get(r["id"], []),
            }
        )
    return out
