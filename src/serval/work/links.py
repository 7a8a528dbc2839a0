"""Typed links between work items, shown on both sides (DOMAIN.md §2.3 "incidents caused by
change, problem fixed"; the change that implemented a request).

A `WorkItemLink` runs `source` —type→ `target`. Which kinds each type may join is data
(`LINK_KINDS`), read by the link action, the pages' forms and the API alike:

| type        | source   | target   | reads on the source | reads on the target |
|-------------|----------|----------|---------------------|---------------------|
| caused_by   | incident | change   | Caused by           | Caused              |
| fixes       | change   | problem  | Fixes               | Fixed by            |
| implements  | change   | request  | Implements          | Implemented by      |
| related     | any      | any      | Related to          | Related to          |

Problems and requests are not work-item kinds yet: their rules are written down and become
usable when those kinds exist. Links join items of one tenant only, are agents' work, and are
journaled on both items (internal: the other item may be out of a requester's sight). Reading:
a person sees a link only when they may see the item at its other end, so a requester never
learns of a change on their incident unless they may see that change.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from serval.core.errors import NotFound, PermissionDenied, ValidationFailed
from serval.core.rawrows import exists_sql
from serval.people.models import User
from serval.work import actions as work
from serval.work.models import LinkType, WorkItem, WorkItemLink
from serval.work.querysets import visible_q

ANY: tuple[str, ...] = ()  # no restriction on the kind
# type → (kinds allowed as source, kinds allowed as target); ANY = every kind.
LINK_KINDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    LinkType.CAUSED_BY: (("incident",), ("change",)),
    LinkType.FIXES: (("change",), ("problem",)),
    LinkType.IMPLEMENTS: (("change",), ("request",)),
    LinkType.RELATED: (ANY, ANY),
}
# type → (label on the source's page, label on the target's page)
LINK_LABELS = {
    LinkType.CAUSED_BY: (gettext_lazy("Caused by"), gettext_lazy("Caused")),
    LinkType.FIXES: (gettext_lazy("Fixes"), gettext_lazy("Fixed by")),
    LinkType.IMPLEMENTS: (gettext_lazy("Implements"), gettext_lazy("Implemented by")),
    LinkType.RELATED: (gettext_lazy("Related to"), gettext_lazy("Related to")),
}
OTHER_FIELDS = ("number", "kind", "title", "state", "tenant_id")  # read of a link's other end
MAX_LINKS = 200  # per item: a card and an API list that stay readable


def _fits(kinds: tuple[str, ...], kind: str) -> bool:
    return not kinds or kind in kinds


def orientation(link_type: str, item_kind: str, other_kind: str) -> str | None:
    """ "source" if `item` is the link's source, "target" if it is the target, None if the type
    cannot join these kinds. An item's own view first: a change picking "caused_by" for an
    incident is the target of that link."""
    rule = LINK_KINDS.get(link_type)
    if rule is None:
        return None
    sources, targets = rule
    if _fits(sources, item_kind) and _fits(targets, other_kind):
        return "source"
    if _fits(sources, other_kind) and _fits(targets, item_kind):
        return "target"
    return None


def types_for(item_kind: str, other_kind: str | None = None) -> list[tuple[str, str]]:
    """(type, label as read from `item`) pairs usable from an item of this kind now.

    A type counts as usable when some existing kind can stand at its other end."""
    from serval.work.models import Kind

    existing = list(Kind.values) if other_kind is None else [other_kind]
    out = []
    for link_type in LINK_KINDS:
        for other in existing:
            side = orientation(link_type, item_kind, other)
            if side is not None:
                label = LINK_LABELS[LinkType(link_type)][0 if side == "source" else 1]
                out.append((str(link_type), str(label)))
                break
    return out


def _require_agent(actor: User) -> None:
    if not actor.is_agent:
        raise PermissionDenied(_("Only agents can link work items."))


def _journal(
    item: WorkItem, other: WorkItem, *, verb: str, actor: User, link_type: str, side: str
) -> None:
    label = LINK_LABELS[LinkType(link_type)][0 if side == "source" else 1]
    work.record(
        item,
        verb=verb,
        actor=actor,
        data={
            "type": link_type,
            "label": str(label),
            "number": other.number,
            "kind": other.kind,
            "title": other.title,
        },
        internal=True,
    )
    work.bump(item, [])
    if item.kind == "change":  # its review counts the incidents it caused
        from serval.changes.review import links_changed

        links_changed(item)


def link_items(*, actor: User, item: WorkItem, other: WorkItem, link_type: str) -> WorkItemLink:
    """Link `item` to `other` with `link_type`, read from `item`'s side; journaled on both."""
    _require_agent(actor)
    if link_type not in LINK_KINDS:
        raise ValidationFailed({"type": _("One of %s.") % ", ".join(str(t) for t in LINK_KINDS)})
    if other.pk == item.pk:
        raise ValidationFailed({"item": _("An item cannot be linked to itself.")})
    if other.tenant_id != item.tenant_id:
        raise ValidationFailed({"item": _("Only items of the same tenant can be linked.")})
    side = orientation(link_type, item.kind, other.kind)
    if side is None:
        raise ValidationFailed(
            {
                "type": _("A %(type)s link cannot join a %(a)s and a %(b)s.")
                % {"type": link_type, "a": item.get_kind_display(), "b": other.get_kind_display()}
            }
        )
    source, target = (item, other) if side == "source" else (other, item)
    with transaction.atomic():
        # Both rows locked in id order, so two people linking the same pair never deadlock.
        first, second = sorted((source, target), key=lambda w: w.pk)
        locked = {w.pk: work.lock(w) for w in (first, second)}
        source, target = locked[source.pk], locked[target.pk]
        if WorkItemLink.objects.filter(Q(source=item) | Q(target=item)).count() >= MAX_LINKS:
            raise ValidationFailed({"item": _("At most %d links per item.") % MAX_LINKS})
        if WorkItemLink.objects.filter(source=source, target=target, type=link_type).exists():
            raise ValidationFailed({"item": _("These items are already linked this way.")})
        try:
            with transaction.atomic():
                link = WorkItemLink.objects.create(
                    tenant_id=source.tenant_id,
                    source=source,
                    target=target,
                    type=link_type,
                    created_by=actor,
                )
        except IntegrityError as exc:  # a concurrent identical link won the race
            raise ValidationFailed({"item": _("These items are already linked this way.")}) from exc
        _journal(source, target, verb="linked", actor=actor, link_type=link_type, side="source")
        _journal(target, source, verb="linked", actor=actor, link_type=link_type, side="target")
    return link


def unlink_items(*, actor: User, item: WorkItem, link_id: int) -> None:
    """Remove one link of `item` (either side); journaled on both items."""
    _require_agent(actor)
    with transaction.atomic():
        link = (
            WorkItemLink.objects.select_related("source", "target")
            .filter(Q(source=item) | Q(target=item), pk=link_id)
            .first()
        )
        if link is None:
            raise NotFound(_("No such link."))
        first, second = sorted((link.source, link.target), key=lambda w: w.pk)
        locked = {w.pk: work.lock(w) for w in (first, second)}
        source, target = locked[link.source_id], locked[link.target_id]
        link_type = link.type
        link.delete()
        _journal(source, target, verb="unlinked", actor=actor, link_type=link_type, side="source")
        _journal(target, source, verb="unlinked", actor=actor, link_type=link_type, side="target")


# --- reading -------------------------------------------------------------------------------


@dataclass
class ShownLink:
    id: int
    type: str
    label: str
    side: str  # "source" or "target": where the viewed item stands
    other: WorkItem
    created_at: Any
    created_by: User


@cache
def _sides_sql(vendor: str) -> str:
    """Whether an item is the source, the target of any link: written once per process."""
    return exists_sql((WorkItemLink, "source"), (WorkItemLink, "target"))


def _sides(item_id: int) -> dict[str, bool]:
    """Which sides of links the item is on, unfiltered by visibility: most items have no
    links, and a probe costs less than compiling the two queries that would find none."""
    with connection.cursor() as cursor:
        cursor.execute(_sides_sql(connection.vendor), [item_id, item_id])
        source, target = cursor.fetchone()
    return {"source": bool(source), "target": bool(target)}


def links_of(item: WorkItem, user: User) -> list[ShownLink]:
    """The item's links whose other end this user may see: one query per side, each joining
    the link to its other end only.

    One query joining both ends under an OR of the two sides took PostgreSQL ~4.5 ms to *plan*
    on every page (it weighs `work_workitem`'s two dozen indexes for each end and each arm);
    the two halves plan in ~0.2 ms together (issue 6). A probe first says which sides have
    links at all, so an item without links costs one prebuilt statement."""
    shown: list[ShownLink] = []
    sides = _sides(item.pk)
    for side, other in (("source", "target"), ("target", "source")):
        if not sides[side]:
            continue
        seen = visible_q(user, other)
        if seen is None:
            return []
        rows = (
            WorkItemLink.objects.filter(Q(**{side: item}) & seen)
            .select_related(other, "created_by")
            # What the card and the API show of each side; the full rows would make every
            # page with links compile and order a select of ~100 columns.
            .only(
                *("type", "created_at", "source_id", "target_id", "created_by_id"),
                *(f"{other}__{f}" for f in OTHER_FIELDS),
                *("created_by__username", "created_by__first_name", "created_by__last_name"),
            )
            .order_by("created_at", "pk")[:MAX_LINKS]
        )
        for link in rows:
            label = LINK_LABELS[LinkType(link.type)][0 if side == "source" else 1]
            other_end = getattr(link, other)
            shown.append(
                ShownLink(
                    link.pk,
                    link.type,
                    str(label),
                    side,
                    other_end,
                    link.created_at,
                    link.created_by,
                )
            )
    shown.sort(key=lambda link: (link.created_at, link.id))  # the order one query gave
    return shown[:MAX_LINKS]


def find_other(user: User, number: Any) -> WorkItem:
    """The item to link to, by number, if the user may see it; else a field error."""
    from serval.work.querysets import access_work_item

    text = str(number or "").strip()
    if not text or len(text) > 24:
        raise ValidationFailed({"item": _("Enter a work item number such as INC-1001.")})
    try:
        return access_work_item(user, text)
    except NotFound as exc:
        raise ValidationFailed({"item": _("No work item %s.") % text.upper()}) from exc
