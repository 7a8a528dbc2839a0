"""Rows of the CMDB's list exports, in the columns its imports read back.

CIs: the import's columns (`serval.cmdb.imports.COLUMNS`) and one `attr:<name>` column per
attribute of the classes present, so an export edited in a spreadsheet imports again and
updates the same CIs (matched on identifiers). Relationships: parent, type, child, each end
named by its first identifier (host name, FQDN, serial, cloud id) or else its name — what the
relationship import looks CIs up by. Formulas are neutralised by `serval.core.exports`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Q, QuerySet

from serval.cmdb.attributes import effective_schema
from serval.cmdb.imports import COLUMNS, PLAIN, RELATIONSHIP_COLUMNS
from serval.cmdb.models import CI, CIClass
from serval.cmdb.querysets import relationships_visible_to
from serval.people.models import User

MAX_ROWS = 100_000


def ci_rows(qs: QuerySet[CI]) -> tuple[list[str], Iterator[list[Any]]]:
    """(header, rows) of the CIs in `qs`."""
    class_ids = set(qs.order_by().values_list("ci_class_id", flat=True).distinct())
    names: list[str] = []
    for ci_class in CIClass.objects.filter(pk__in=class_ids).select_related("parent"):
        for f in effective_schema(ci_class):
            if f["name"] not in names:
                names.append(f["name"])
    header = [*COLUMNS, *(f"attr:{n}" for n in sorted(names))]
    fields = ["ci_class__name", *PLAIN, "owner__username", "support_team__name", "attributes"]

    def rows() -> Iterator[list[Any]]:
        for values in qs.values_list(*fields)[:MAX_ROWS].iterator(chunk_size=2000):
            *plain, attributes = values
            attributes = attributes or {}
            yield [*plain, *(attributes.get(n) for n in sorted(names))]

    return header, rows()


def identifier(ci: dict[str, Any]) -> str:
    """How an exported file names a CI: its first identifier, else its name."""
    for name in ("hostname", "fqdn", "serial", "cloud_id"):
        if ci.get(name):
            return str(ci[name])
    return str(ci["name"])


def relationship_rows(user: User, cis: QuerySet[CI]) -> tuple[list[str], Iterator[list[Any]]]:
    """(header, rows) of the relationships whose parent or child is among `cis`."""
    ids = cis.order_by().values("pk")
    qs = (
        relationships_visible_to(user)
        .filter(Q(parent__in=ids) | Q(child__in=ids))
        .order_by("pk")
        .values_list(
            "parent__name",
            "parent__hostname",
            "parent__fqdn",
            "parent__serial",
            "parent__cloud_id",
            "type__name",
            "child__name",
            "child__hostname",
            "child__fqdn",
            "child__serial",
            "child__cloud_id",
        )
    )
    keys = ("name", "hostname", "fqdn", "serial", "cloud_id")

    def rows() -> Iterator[list[Any]]:
        for values in qs[:MAX_ROWS].iterator(chunk_size=2000):
            parent = dict(zip(keys, values[:5], strict=True))
            child = dict(zip(keys, values[6:], strict=True))
            yield [identifier(parent), values[5], identifier(child)]

    return list(RELATIONSHIP_COLUMNS), rows()
