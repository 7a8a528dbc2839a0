"""An asset's history for its page, read through `serval.web.history` like a CI's: each edit
lists its changed fields old → new, a creation the fields it set; the linked CI by name."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from serval.assets.models import Asset
from serval.cmdb.querysets import cis_visible_to
from serval.core.models import JournalEvent
from serval.people.models import User
from serval.web.history import Entry, display, field_labels, shown

HEADLINES = {
    "created": gettext_lazy("Created"),
    "updated": gettext_lazy("Changed"),
    "deleted": gettext_lazy("Deleted"),
}


def events(asset_id: int) -> QuerySet[JournalEvent]:
    """The asset's journal, newest first (the caller has checked the asset is visible)."""
    return (
        JournalEvent.objects.filter(subject_type="asset", subject_id=asset_id)
        .select_related("actor")
        .order_by("-seq")
    )


def entries(user: User, rows: list[JournalEvent]) -> list[Entry]:
    ci_ids: set[int] = set()
    for e in rows:
        data = e.data or {}
        raw = data.get("changes", {}).get("ci", []) if e.verb == "updated" else [data.get("ci")]
        ci_ids.update(pk for pk in raw if isinstance(pk, int))
    names = dict(cis_visible_to(user).filter(pk__in=ci_ids).values_list("pk", "name"))
    labels = field_labels(Asset)

    def value(name: str, v: Any) -> str:
        if name == "ci" and isinstance(v, int):
            return names.get(v, _("CI %s") % v)
        return display(Asset, name, v)

    out = []
    for e in rows:
        data = e.data or {}
        entry = Entry(event=e, headline=str(HEADLINES.get(e.verb, e.verb.replace("_", " "))))
        if e.verb == "updated":
            entry.changes = shown(Asset, data.get("changes"), labels=labels, value=value)
        elif e.verb == "created":
            raw = {k: v for k, v in data.items() if k != "name"}
            entry.changes = shown(Asset, raw, labels=labels, value=value, created=True)
            entry.created = True
        out.append(entry)
    return out
