"""A CI's history for its page: what changed, from what to what, and what it was related to.

The journal of subject "ci" (DOMAIN.md §2.7, ISO/IEC 20000 8.2.6) read through
`serval.web.history`, like the incident timeline: an edit lists each changed field as old → new
(class attributes one by one), a creation the fields it set, and the events about neighbours
read as sentences with a link — "Depends on db-erp-01", "Realizes ERP", "Runs PostgreSQL 13".
Names are looked up once per page for all events, and only among records the viewer may see;
a neighbour out of sight (or since deleted) is named by what the journal kept, without a link.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from serval.cmdb.models import CI, RelationshipType
from serval.cmdb.querysets import cis_visible_to, classes_visible_to
from serval.core.models import JournalEvent
from serval.people.models import User
from serval.services.querysets import services_visible_to
from serval.web.history import Entry, display, field_labels, shown

HEADLINES = {
    "created": gettext_lazy("Created"),
    "updated": gettext_lazy("Changed"),
    "deleted": gettext_lazy("Deleted"),
    "relationship_added": gettext_lazy("Relationship added"),
    "relationship_removed": gettext_lazy("Relationship removed"),
    "service_linked": gettext_lazy("Linked to a service"),
    "service_unlinked": gettext_lazy("Unlinked from a service"),
    "asset_linked": gettext_lazy("Linked to an asset"),
    "asset_unlinked": gettext_lazy("Unlinked from an asset"),
    "software_installed": gettext_lazy("Software installed"),
    "software_removed": gettext_lazy("Software removed"),
}


def events(ci_id: int) -> QuerySet[JournalEvent]:
    """The CI's journal, newest first (the caller has checked the CI is visible)."""
    return (
        JournalEvent.objects.filter(subject_type="ci", subject_id=ci_id)
        .select_related("actor")
        .order_by("-seq")
    )


def _attribute_changes(before: Any, after: Any) -> dict[str, list[Any]]:
    before, after = before or {}, after or {}
    return {
        f"attr:{k}": [before.get(k), after.get(k)]
        for k in sorted(set(before) | set(after))
        if before.get(k) != after.get(k)
    }


def entries(ci: CI, user: User, rows: list[JournalEvent]) -> list[Entry]:
    """`rows` of the CI's journal as entries, with neighbours' names in a few queries."""
    from serval.assets.querysets import assets_visible_to, products_visible_to

    other_cis: set[int] = set()
    service_ids: set[int] = set()
    asset_ids: set[int] = set()
    product_ids: set[int] = set()
    for e in rows:
        data = e.data or {}
        if e.verb.startswith("relationship_"):
            other_cis.update(pk for pk in (data.get("parent"), data.get("child")) if pk)
        elif e.verb.startswith("service_") and data.get("service"):
            service_ids.add(data["service"])
        elif e.verb.startswith("asset_") and data.get("asset"):
            asset_ids.add(data["asset"])
        elif e.verb.startswith("software_") and data.get("product"):
            product_ids.add(data["product"])
    names = dict(cis_visible_to(user).filter(pk__in=other_cis).values_list("pk", "name"))
    services = dict(services_visible_to(user).filter(pk__in=service_ids).values_list("pk", "name"))
    assets = set(assets_visible_to(user).filter(pk__in=asset_ids).values_list("pk", flat=True))
    products = {p.pk: str(p) for p in products_visible_to(user).filter(pk__in=product_ids)}
    types = {t.name: t for t in RelationshipType.objects.all()} if other_cis else {}
    classes = dict(classes_visible_to(user).values_list("name", "label"))
    labels: dict[str, Any] = {**field_labels(CI), "ci_class": _("Class")}

    def value(name: str, v: Any) -> str:
        if name == "ci_class":
            return str(classes.get(v, v)) if v is not None else "—"
        return display(CI, name.removeprefix("attr:"), v)

    out: list[Entry] = []
    for e in rows:
        data = e.data or {}
        entry = Entry(event=e, headline=str(HEADLINES.get(e.verb, e.verb.replace("_", " "))))
        if e.verb == "updated":
            raw = dict(data.get("changes") or {})
            if "attributes" in raw:
                raw.update(_attribute_changes(*(list(raw.pop("attributes")) + [None])[:2]))
            attr_labels = {k: k.removeprefix("attr:") for k in raw if k.startswith("attr:")}
            entry.changes = shown(CI, raw, labels={**labels, **attr_labels}, value=value)
        elif e.verb == "created":
            raw = {k: v for k, v in data.items() if k not in ("name", "attributes")}
            raw.update({f"attr:{k}": v for k, v in (data.get("attributes") or {}).items()})
            attr_labels = {k: k.removeprefix("attr:") for k in raw if k.startswith("attr:")}
            entry.changes = shown(
                CI, raw, labels={**labels, **attr_labels}, value=value, created=True
            )
            entry.created = True
        elif e.verb.startswith("relationship_"):
            rtype = types.get(data.get("type", ""))
            outgoing = data.get("parent") == ci.pk
            other = int((data.get("child") if outgoing else data.get("parent")) or 0)
            if rtype is None:
                verb = str(data.get("type", "")).replace("_", " ")
            else:
                verb = rtype.label if outgoing else rtype.reverse_label
            entry.detail = f"{verb} {names.get(other, _('CI %s') % other)}"
            if other in names:
                entry.url = reverse("cmdb-ci-detail", args=[other])
        elif e.verb.startswith("service_"):
            pk = int(data.get("service") or 0)
            entry.detail = services.get(pk, _("service %s") % pk)
            if pk in services:
                entry.url = reverse("services-detail", args=[pk])
        elif e.verb.startswith("asset_"):
            entry.detail = str(data.get("name", ""))
            if data.get("asset") in assets:
                entry.url = reverse("assets-detail", args=[data["asset"]])
        elif e.verb.startswith("software_"):
            product = products.get(data.get("product") or 0, "")
            entry.detail = f"{product} {data.get('version', '')}".strip()
        out.append(entry)
    return out
