"""Declarative conditions over work item fields: an allow-list, checked in Python.

A condition set is {"start": [clause, …], "pause": […], "stop": […], "cancel": […],
"reset": […]}; a clause is {"field": "state", "op": "in", "value": ["new"]}. Clauses are ANDed.
Conditions are matched against the item in memory — never turned into `filter(**user_dict)` —
so a definition can only ever read the fields listed here (SECURITY-REFERENCE §2 C1).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from serval.core.errors import ValidationFailed

KINDS = ("start", "pause", "stop", "cancel", "reset")
# field → (attribute on WorkItem, value type); foreign keys compare by id.
FIELDS: dict[str, tuple[str, type]] = {
    "kind": ("kind", str),
    "state": ("state", str),
    "hold_reason": ("hold_reason", str),
    "priority": ("priority", int),
    "impact": ("impact", int),
    "urgency": ("urgency", int),
    "service": ("service", str),
    "category": ("category", str),
    "channel": ("channel", str),
    "organization": ("organization_id", int),
    "assignment_group": ("assignment_group_id", int),
    "assignee": ("assignee_id", int),
}
OPERATORS = ("eq", "ne", "in", "not_in", "empty", "not_empty")
MAX_CLAUSES = 20
MAX_VALUES = 100

Clause = dict[str, Any]


def validate(raw: Any) -> dict[str, list[Clause]]:
    """Check a condition set against the allow-list; return it cleaned, or ValidationFailed."""
    if not isinstance(raw, dict):
        raise ValidationFailed({"conditions": _("Must be an object.")})
    errors: dict[str, str] = {}
    out: dict[str, list[Clause]] = {}
    for key, clauses in raw.items():
        where = f"conditions.{key}"
        if key not in KINDS:
            errors[where] = _("Unknown condition; use one of %s.") % ", ".join(KINDS)
            continue
        if not isinstance(clauses, list) or len(clauses) > MAX_CLAUSES:
            errors[where] = _("Must be a list of at most %d clauses.") % MAX_CLAUSES
            continue
        cleaned: list[Clause] = []
        for index, clause in enumerate(clauses):
            try:
                cleaned.append(_clause(clause))
            except ValueError as exc:
                errors[f"{where}.{index}"] = str(exc)
        out[key] = cleaned
    if errors:
        raise ValidationFailed(errors)
    return out


def _clause(clause: Any) -> Clause:
    if not isinstance(clause, dict) or set(clause) - {"field", "op", "value"}:
        raise ValueError(_("A clause has a field, an op and (mostly) a value."))
    field, op = clause.get("field"), clause.get("op", "eq")
    if field not in FIELDS:
        raise ValueError(_("Unknown field; use one of %s.") % ", ".join(FIELDS))
    if op not in OPERATORS:
        raise ValueError(_("Unknown operator; use one of %s.") % ", ".join(OPERATORS))
    kind = FIELDS[field][1]
    if op in ("empty", "not_empty"):
        return {"field": field, "op": op}
    value = clause.get("value")
    if op in ("in", "not_in"):
        if not isinstance(value, list) or not value or len(value) > MAX_VALUES:
            raise ValueError(_("Must be a non-empty list of at most %d values.") % MAX_VALUES)
        return {"field": field, "op": op, "value": [_scalar(v, kind) for v in value]}
    return {"field": field, "op": op, "value": _scalar(value, kind)}


def _scalar(value: Any, kind: type) -> Any:
    if kind is int and isinstance(value, int) and not isinstance(value, bool):
        return value
    if kind is str and isinstance(value, str) and len(value) <= 200:
        return value
    raise ValueError(_("Must be a number.") if kind is int else _("Must be text."))


def matches(item: Any, clauses: list[Clause] | None, *, empty: bool = False) -> bool:
    """Do all clauses hold for the item? An empty or missing list gives `empty`."""
    if not clauses:
        return empty
    for clause in clauses:
        attr = FIELDS[clause["field"]][0]
        actual = getattr(item, attr, None)
        op, value = clause["op"], clause.get("value", ())
        if op == "eq":
            ok = actual == value
        elif op == "ne":
            ok = actual != value
        elif op == "in":
            ok = actual in value
        elif op == "not_in":
            ok = actual not in value
        elif op == "empty":
            ok = actual in (None, "")
        else:
            ok = actual not in (None, "")
        if not ok:
            return False
    return True
