"""Work items linked to CIs and services, and the services they impact (DOMAIN.md §2.7).

An incident (later also a change or an alert) names the CIs it affects and, where no CI is
known, the services it affects directly. Its *impacted services* are derived: one upstream
`serval.cmdb.impact.walk` from all linked CIs at once, plus the directly linked services,
offerings rolled up to their service. They are stored (`ImpactedService`) so lists can show and
filter by them without walking the graph per row.

When the stored rows are rewritten:
- at once, in the same transaction, by the link actions here (which also journal on the item);
- by the task `refresh_impacts`, enqueued inside the CMDB actions' transactions when a
  dependency relationship or a service link changes or a CI is deleted. Impact travels *up*
  dependency edges, so a change at CI C can only alter the walk of items linked to C or to a CI
  *below* C: the task walks downstream from the changed CIs (depth-bounded, like the items' own
  walks) and recomputes the open items linked to any CI it reaches. Recomputing is a diff
  against the stored rows, so running it twice changes nothing the second time.

Visibility: links are agents' work (CIs are agent-only data, `cmdb.querysets`); requesters who
may see the item see its impacted services — only those `services_visible_to` them (live ones)
and without CI names: their paths are reduced to the service nodes. Link events are journaled
as internal for the same reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.db.models import Exists, F, Model, OuterRef, Q, QuerySet
from django.tasks import task
from django.utils.translation import gettext as _

from serval.cmdb import impact
from serval.cmdb.models import CI, ImpactedService, WorkItemCI, WorkItemService
from serval.core.errors import NotFound, PermissionDenied, ValidationFailed
from serval.core.lookups import id_list_param, id_list_sql
from serval.core.rawrows import column, exists_sql, table
from serval.core.tenancy import reach, reference_visible_in
from serval.services.models import Service, ServiceKind, ServiceStatus

if TYPE_CHECKING:
    from serval.people.models import User
    from serval.work.models import WorkItem

IMPACT_DEPTH = impact.DEFAULT_DEPTH
MAX_LINKS = impact.MAX_START  # CIs per item: the walk takes at most this many start CIs
_CHUNK = 1000  # ids per IN (...) list, well under SQLite's bound-parameter limit


# --- permissions ------------------------------------------------------------------------------


def can_link(actor: User, item: WorkItem) -> bool:
    """Agents of the item's tenant, on items still active (administrators also on closed ones)."""
    return actor.is_agent and item.tenant_id in reach(actor) and (item.active or actor.is_admin)


def ensure_can_link(actor: User, item: WorkItem) -> None:
    """For adapters: refuse (403) before resolving any CI or service the input names."""
    if not can_link(actor, item):
        raise PermissionDenied(_("Only agents can change the CIs and services of this item."))


# --- computing the impact ---------------------------------------------------------------------


def compute(
    ci_ids: Iterable[int], service_ids: Iterable[int], *, rules: bool = True
) -> dict[int, impact.Hop]:
    """Service id → its best hop: direct links at depth 0, else the shortest walk from a CI.

    `rules=False` walks without the impact rules: a change's own impact must not vanish while
    its CIs are in maintenance because it is being implemented.
    """
    result = impact.walk(list(ci_ids), direction="upstream", depth=IMPACT_DEPTH, rules=rules)
    direct = [impact.Hop("service", pk, 0, (("service", pk),)) for pk in sorted(set(service_ids))]
    best: dict[int, impact.Hop] = {}
    for hop in sorted([*direct, *result.services], key=lambda h: (h.depth, h.path[0][0], h.id)):
        best.setdefault(hop.id, hop)  # "ci" < "service": at equal depth a CI path wins
    for hop in result.services:  # a direct link keeps the severity the CMDB gives the service
        if best[hop.id].severity < hop.severity:
            kept = best[hop.id]
            best[hop.id] = impact.Hop(kept.kind, kept.id, kept.depth, kept.path, hop.severity)
    result.services = sorted(best.values(), key=lambda h: (h.depth, h.id))
    if result.services:
        ids = [h.id for h in result.services]
        services = {s.pk: s for s in Service.objects.filter(pk__in=ids).only("kind", "parent_id")}
        impact.roll_up_offerings(result, services)
    return {h.id: h for h in result.services}


def recompute(item: WorkItem) -> int:
    """Rewrite the item's impacted services from its links; returns how many rows changed.

    Call inside a transaction holding the item's row lock (the link actions and the task do),
    so two recomputations of one item never interleave.
    """
    ci_ids = list(WorkItemCI.objects.filter(work_item=item).values_list("ci_id", flat=True))
    service_ids = list(
        WorkItemService.objects.filter(work_item=item).values_list("service_id", flat=True)
    )
    wanted = compute(ci_ids, service_ids, rules=item.kind != "change")
    stored = {r.service_id: r for r in ImpactedService.objects.filter(work_item=item)}
    changed = 0
    gone = [r.pk for pk, r in stored.items() if pk not in wanted]
    if gone:
        changed += ImpactedService.objects.filter(pk__in=gone).delete()[0]
    new = []
    for pk, hop in wanted.items():
        via = hop.path[0][1] if hop.path[0][0] == "ci" else None
        path = [[kind, node] for kind, node in hop.path]
        row = stored.get(pk)
        if row is None:
            new.append(
                ImpactedService(
                    tenant_id=item.tenant_id,
                    work_item=item,
                    service_id=pk,
                    via_ci_id=via,
                    depth=hop.depth,
                    path=path,
                    severity=hop.severity,
                )
            )
        elif (row.via_ci_id, row.depth, row.path, row.severity) != (
            via,
            hop.depth,
            path,
            hop.severity,
        ):
            row.via_ci_id, row.depth, row.path = via, hop.depth, path
            row.severity = hop.severity
            row.save(update_fields=["via_ci", "depth", "path", "severity"])
            changed += 1
    if new:
        ImpactedService.objects.bulk_create(new)
        changed += len(new)
    return changed


# --- link actions -----------------------------------------------------------------------------


def _before_change(item: WorkItem) -> None:
    """A kind may refuse link changes in some states (a change's CIs freeze with its plan)."""
    if item.kind == "change":
        from serval.changes.actions import check_links_editable

        check_links_editable(item)


def _after_change(item: WorkItem, *, verb: str, actor: User, data: dict[str, Any]) -> None:
    from serval.work import actions as work

    work.record(item, verb=verb, actor=actor, data=data, internal=True)
    work.bump(item, [])
    recompute(item)
    if item.kind == "change":  # risk and conflicts read the CIs and impacted services
        from serval.changes.actions import links_changed

        links_changed(item, actor)


def link_ci(*, actor: User, item: WorkItem, ci: CI) -> WorkItemCI:
    """Say the item affects this CI (of the item's own tenant); impacted services follow."""
    from serval.work import actions as work

    ensure_can_link(actor, item)
    if ci.tenant_id != item.tenant_id:
        raise ValidationFailed({"ci": _("Only CIs of the item's own tenant can be linked.")})
    with transaction.atomic():
        locked = work.lock(item)
        _before_change(locked)
        links = WorkItemCI.objects.filter(work_item=locked)
        if links.filter(ci=ci).exists():
            raise ValidationFailed({"ci": _("This CI is already linked.")})
        if links.count() >= MAX_LINKS:
            raise ValidationFailed({"ci": _("At most %d CIs can be linked.") % MAX_LINKS})
        link = WorkItemCI.objects.create(
            tenant_id=locked.tenant_id, work_item=locked, ci=ci, created_by=actor
        )
        _after_change(locked, verb="ci_linked", actor=actor, data={"ci": ci.pk, "name": ci.name})
    return link


def unlink_ci(*, actor: User, item: WorkItem, ci: CI) -> None:
    from serval.work import actions as work

    ensure_can_link(actor, item)
    with transaction.atomic():
        locked = work.lock(item)
        _before_change(locked)
        deleted, _rows = WorkItemCI.objects.filter(work_item=locked, ci=ci).delete()
        if not deleted:
            raise NotFound(_("This CI is not linked."))
        _after_change(locked, verb="ci_unlinked", actor=actor, data={"ci": ci.pk, "name": ci.name})


def link_service(*, actor: User, item: WorkItem, service: Service) -> WorkItemService:
    """Say the item affects this service directly (its own tenant's, or one shared down)."""
    from serval.work import actions as work

    ensure_can_link(actor, item)
    if not reference_visible_in(
        owner_tenant=service.tenant, shared=service.shared, target=item.tenant
    ):
        raise ValidationFailed({"service": _("Unknown service.")})
    with transaction.atomic():
        locked = work.lock(item)
        _before_change(locked)
        if WorkItemService.objects.filter(work_item=locked, service=service).exists():
            raise ValidationFailed({"service": _("This service is already linked.")})
        link = WorkItemService.objects.create(
            tenant_id=locked.tenant_id, work_item=locked, service=service, created_by=actor
        )
        _after_change(
            locked,
            verb="service_linked",
            actor=actor,
            data={"service": service.pk, "name": service.name},
        )
    return link


def unlink_service(*, actor: User, item: WorkItem, service: Service) -> None:
    from serval.work import actions as work

    ensure_can_link(actor, item)
    with transaction.atomic():
        locked = work.lock(item)
        _before_change(locked)
        deleted, _rows = WorkItemService.objects.filter(work_item=locked, service=service).delete()
        if not deleted:
            raise NotFound(_("This service is not linked."))
        _after_change(
            locked,
            verb="service_unlinked",
            actor=actor,
            data={"service": service.pk, "name": service.name},
        )


# --- keeping stored impact current after CMDB changes ----------------------------------------


def cmdb_changed(ci_ids: Iterable[int], work_item_ids: Iterable[int] = ()) -> None:
    """Hook for the CMDB actions: refresh, after commit, the items near the changed CIs.

    Enqueued inside the caller's transaction, so a rolled-back change enqueues nothing; while
    no item names any CI (an estate being imported) there is nothing to refresh.
    """
    work_item_ids = list(work_item_ids)
    if not work_item_ids and not WorkItemCI.objects.exists():
        return
    refresh_impacts.enqueue(sorted(set(ci_ids)), sorted(set(work_item_ids)))


def ci_deleting(*, actor: User, ci: CI, neighbours: Iterable[int]) -> None:
    """Hook for `delete_ci`, before the delete: unlink the CI from items, journaled on each.

    The impact of those items and of items below the CI's neighbours is refreshed by the task,
    after the CI and its relationships are gone.
    """
    from serval.work import actions as work
    from serval.work.models import WorkItem

    item_ids = sorted(set(WorkItemCI.objects.filter(ci=ci).values_list("work_item_id", flat=True)))
    for item in WorkItem.objects.select_for_update().filter(pk__in=item_ids).order_by("pk"):
        WorkItemCI.objects.filter(work_item=item, ci=ci).delete()
        work.record(
            item,
            verb="ci_unlinked",
            actor=actor,
            data={"ci": ci.pk, "name": ci.name, "reason": "ci_deleted"},
            internal=True,
        )
        work.bump(item, [])
    cmdb_changed([pk for pk in neighbours if pk != ci.pk], item_ids)


def affected_items(ci_ids: list[int]) -> set[int]:
    """Open items linked to a CI at or below the changed CIs (within the items' walk depth)."""
    if not ci_ids:
        return set()
    below = impact.walk(ci_ids, direction="downstream", depth=IMPACT_DEPTH)
    near = sorted({*ci_ids, *(h.id for h in below.cis)})
    found: set[int] = set()
    for start in range(0, len(near), _CHUNK):
        found.update(
            WorkItemCI.objects.filter(
                ci_id__in=near[start : start + _CHUNK], work_item__active=True
            ).values_list("work_item_id", flat=True)
        )
    return found


@task()
def refresh_impacts(ci_ids: list[int], work_item_ids: list[int] | None = None) -> int:
    """Recompute the impacted services of open items near changed CIs; returns rows changed.

    Idempotent (DESIGN.md §2 rule 4): each item is recomputed from its current links under
    its row lock, and a recomputation that finds nothing to change writes nothing.
    """
    from serval.work.models import WorkItem

    existing = list(CI.objects.filter(pk__in=ci_ids).values_list("pk", flat=True))
    items = affected_items(existing) | set(work_item_ids or ())
    changed = 0
    for pk in sorted(items):
        with transaction.atomic():
            item = WorkItem.objects.select_for_update().filter(pk=pk).first()
            if item is not None and (item.active or pk in (work_item_ids or ())):
                moved = recompute(item)
                changed += moved
                if moved and item.kind == "change":
                    from serval.changes.actions import links_changed

                    links_changed(item, None)
    return changed


# --- reading, for the API and the pages -------------------------------------------------------


@dataclass
class PathNode:
    kind: str
    id: int
    name: str


@dataclass
class Impacted:
    service: Any
    depth: int
    direct: bool
    via_ci: CI | None
    path: list[PathNode] = field(default_factory=list)
    severity: int = 0

    @property
    def severity_name(self) -> str:
        return impact.SEVERITY_NAMES.get(self.severity, "")

    @property
    def arrow_path(self) -> str:
        """ "ERP ← app-erp-01 ← db-erp-01": the service first, back to the linked CI."""
        return " ← ".join(n.name for n in reversed(self.path))


def _visible_services(user: User) -> Any:
    from serval.services.querysets import services_visible_to

    return services_visible_to(user)


def _seen_by(user: User) -> Q:
    """Rows of an item the user sees whose service the user may see, without another query.

    For anyone who sees the item (its tenant is in their reach) this is `services_visible_to`:
    a stored service is the item's tenant's own or one shared down from an ancestor (the link
    rules guarantee it), and requesters see live services only.
    """
    seen = Q(service__tenant_id=F("tenant_id")) | Q(service__shared=True)
    if not user.is_agent:
        seen &= Q(service__status=ServiceStatus.LIVE)
    return seen


@cache
def _impacted_sql(vendor: str, *, live_only: bool) -> str:
    """`impacted_by_item`'s statement, written once per process from the models' metadata.

    The ORM compiled it on every list request, about 1 ms of a queue page's CPU (issue 6);
    only table and column names go into the text. The condition is `_seen_by`'s.
    """
    item, service, depth, tenant, pk = (
        column(ImpactedService, name) for name in ("work_item", "service", "depth", "tenant", "id")
    )
    s_pk, s_name, s_tenant, s_shared, s_status = (
        column(Service, name) for name in ("id", "name", "tenant", "shared", "status")
    )
    live = f" AND s.{s_status} = %s" if live_only else ""
    # Only identifiers from the models' metadata go into the text.
    return (
        f"SELECT i.{item}, i.{service}, s.{s_name}"  # noqa: S608
        f" FROM {table(ImpactedService)} i"
        f" JOIN {table(Service)} s ON s.{s_pk} = i.{service}"
        f" WHERE i.{item} {id_list_sql(vendor)}"
        f" AND (s.{s_tenant} = i.{tenant} OR s.{s_shared} = %s){live}"
        f" ORDER BY i.{depth}, i.{service}, i.{pk}"
    )


def impacted_by_item(ids: list[int], user: User) -> dict[int, list[dict[str, Any]]]:
    """For a page of items: each one's impacted services the user may see, as [{id, name}]
    (nearest first), in one query."""
    found: dict[int, list[dict[str, Any]]] = {}
    if not ids:
        return found
    vendor = connection.vendor
    params: list[Any] = [id_list_param(ids, vendor), True]
    if not user.is_agent:
        params.append(ServiceStatus.LIVE.value)
    with connection.cursor() as cursor:
        cursor.execute(_impacted_sql(vendor, live_only=not user.is_agent), params)
        for item_id, service_id, name in cursor.fetchall():
            found.setdefault(item_id, []).append({"id": service_id, "name": name})
    return found


def impacting(user: User, service_id: int) -> Exists:
    """A filter for work items: it impacts this service, and the user may see the service."""
    return Exists(
        ImpactedService.objects.filter(
            _seen_by(user), work_item_id=OuterRef("pk"), service_id=service_id
        )
    )


def impacted_refs(item: WorkItem, user: User) -> list[dict[str, Any]]:
    """[{id, name}] of the item's impacted services the user may see, nearest first."""
    return impacted_by_item([item.pk], user).get(item.pk, [])


def linked_cis(item: WorkItem, user: User) -> list[CI]:
    from serval.cmdb.querysets import cis_visible_to

    if not user.is_agent:
        raise PermissionDenied(_("Only agents can see the CIs of an item."))
    return list(
        cis_visible_to(user)
        .filter(work_links__work_item=item)
        .select_related("ci_class")
        .order_by("name", "pk")
    )


def linked_services(item: WorkItem, user: User) -> list[Service]:
    return list(_visible_services(user).filter(work_links__work_item=item).order_by("name", "pk"))


def _impacted_rows(item: WorkItem, user: User) -> list[ImpactedService]:
    return list(
        ImpactedService.objects.filter(_seen_by(user), work_item=item)
        .select_related("service")
        .order_by("depth", "service__name", "service_id")
    )


def impacted(
    item: WorkItem,
    user: User,
    *,
    rows: list[ImpactedService] | None = None,
    cis: dict[int, CI] | None = None,
) -> list[Impacted]:
    """The item's impacted services with their paths, as this user may see them.

    Agents get every node; others only service nodes and no via-CI (CI internals are agent
    data). `rows` and `cis` may carry what the caller already loaded, to save queries.
    """
    from serval.cmdb.querysets import cis_visible_to

    if rows is None:
        rows = _impacted_rows(item, user)
    services = {r.service_id: r.service for r in rows}
    known = dict(cis or {})
    if user.is_agent:
        wanted = {pk for r in rows for kind, pk in r.path if kind == "ci"} - set(known)
        if wanted:
            known.update({c.pk: c for c in cis_visible_to(user).filter(pk__in=wanted)})
        missing = {pk for r in rows for kind, pk in r.path if kind == "service"} - set(services)
        if missing:
            services.update({s.pk: s for s in _visible_services(user).filter(pk__in=missing)})
    out = []
    for r in rows:
        nodes = []
        for kind, pk in r.path:
            obj = known.get(pk) if kind == "ci" else services.get(pk)
            if obj is None or (kind == "ci" and not user.is_agent):
                continue  # out of the viewer's sight: the path shows what they may see
            nodes.append(PathNode(kind, pk, obj.name))
        out.append(
            Impacted(
                service=r.service,
                depth=r.depth,
                direct=r.via_ci_id is None and r.depth == 0,
                via_ci=known.get(r.via_ci_id) if user.is_agent and r.via_ci_id else None,
                path=nodes,
                severity=r.severity,
            )
        )
    return out


@cache
def _linked_sql(vendor: str) -> str:
    """Whether an item has impacted services, CI links, service links: one statement written
    once per process (names from the models only)."""
    return exists_sql(*((m, "work_item") for m in (ImpactedService, WorkItemCI, WorkItemService)))


def _linked(item_id: int) -> tuple[bool, bool, bool]:
    """(has impacted services, has linked CIs, has linked services), unfiltered by visibility:
    a False spares the card a query that could only come back empty (issue 6: the card's
    three queries were 3 ms of every incident page, and most incidents link nothing)."""
    with connection.cursor() as cursor:
        cursor.execute(_linked_sql(connection.vendor), [item_id] * 3)
        row = cursor.fetchone()
    return bool(row[0]), bool(row[1]), bool(row[2])


def card(item: WorkItem, user: User) -> dict[str, Any]:
    """The "Affected CIs & impacted services" card of an incident or change, in a few queries.

    A probe says which of the three the item has at all; then, for agents, the impacted rows
    (one query), the linked CIs together with the CIs on their paths (one) and the directly
    linked services (one), each only if there is something to find. Requesters: the impacted
    rows only. What may be linked is not listed here: the forms ask `suggestions` as the agent
    types (a tenant's 500 services and 200 CIs as pick lists cost every page view ~40 % of its
    time, issue 6).
    """
    from serval.cmdb.querysets import cis_visible_to

    # Most items link nothing: one probe, then only the queries something can answer.
    has_impacted, has_cis, has_services = _linked(item.pk)
    rows = _impacted_rows(item, user) if has_impacted else []
    if not user.is_agent:
        return {"impacted": impacted(item, user, rows=rows), "agent": False}
    rows_path_ids = {pk for r in rows for kind, pk in r.path if kind == "ci"}
    loaded: list[CI] = []
    if has_cis or rows_path_ids:
        linked_q = Exists(WorkItemCI.objects.filter(work_item=item, ci=OuterRef("pk")))
        linked_ids = WorkItemCI.objects.filter(work_item=item).values("ci_id")
        loaded = list(
            cis_visible_to(user)
            .annotate(linked=linked_q)
            # Both sides as id lists, so each is an index lookup: `linked=True` in the filter
            # made the database test every CI of the tenant (2.7 ms of a page at 10,000 CIs).
            .filter(Q(pk__in=linked_ids) | Q(pk__in=rows_path_ids))
            .select_related("ci_class")
            .only("pk", "name", "tenant_id", "ci_class_id", "ci_class__label")  # what it reads
            .order_by("name", "pk")
        )
    services: list[Service] = []
    if has_services:
        services = list(
            _visible_services(user)
            .filter(work_links__work_item=item)
            .order_by("name", "pk")
            .only("pk", "name")
        )
    return {
        "agent": True,
        "cis": [c for c in loaded if c.linked],  # type: ignore[attr-defined]
        "services": services,
        "impacted": impacted(item, user, rows=rows, cis={c.pk: c for c in loaded}),
        "can_link": can_link(user, item),
    }


# A suggestion reads "name #id", so picking one is exact even where names repeat.
_PICKED = re.compile(r"#(\d{1,18})\s*$")
SUGGESTIONS = 50


def choice_label(name: str, pk: int) -> str:
    """How a CI or service is offered in a suggestion list and named back by a form."""
    return f"{name} #{pk}"


def picked_id(text: str) -> int | None:
    """The id of a picked suggestion ("name #id"), or None for text typed by hand."""
    found = _PICKED.search(text)
    return int(found.group(1)) if found else None


def ci_suggestions(cis: QuerySet[CI], text: str) -> list[tuple[str, str]]:
    """Up to 50 of `cis` whose name or host name contains `text` (the first 50 when it is
    empty), as (value, description) for a datalist: "name #id", "class · host name"."""
    if text:
        cis = cis.filter(Q(name__icontains=text) | Q(hostname__icontains=text.lower()))
    rows = cis.order_by("name", "pk").values_list("pk", "name", "hostname", "ci_class__label")
    return [
        (choice_label(name, pk), " · ".join(p for p in (label, host) if p))
        for pk, name, host, label in rows[:SUGGESTIONS]
    ]


def suggestions(user: User, item: WorkItem, what: str, text: str) -> list[tuple[str, str]]:
    """Up to 50 CIs (`what="ci"`) or services the agent may link to the item, not linked yet,
    whose name (or host name) contains `text`, as (value, description) for a datalist."""
    from serval.cmdb.querysets import cis_visible_to

    ensure_can_link(user, item)
    text = text.strip()[:200]
    if picked_id(text) is not None:
        text = ""  # a suggestion already picked: offer the first ones again
    if what == "ci":
        cis = cis_visible_to(user).filter(tenant_id=item.tenant_id)
        return ci_suggestions(cis.exclude(work_links__work_item=item), text)
    services = (
        _visible_services(user)
        .filter(Q(tenant_id=item.tenant_id) | Q(shared=True))
        .exclude(work_links__work_item=item)
    )
    if text:
        services = services.filter(name__icontains=text)
    found = services.order_by("name", "pk").values_list("pk", "name", "kind")[:SUGGESTIONS]
    labels = dict(ServiceKind.choices)
    return [(choice_label(name, pk), str(labels.get(kind, kind))) for pk, name, kind in found]


def _named[M: Model](qs: QuerySet[M], key: str, by_text: Q) -> list[M]:
    """What `key` names in `qs`: a picked suggestion or an id exactly, else the rows `by_text`
    matches; at most two, so that a name several rows share shows as such."""
    picked = picked_id(key)
    if picked is not None:
        return list(qs.filter(pk=picked)[:1])
    if key.isascii() and key.isdigit() and len(key) < 19:
        return list(qs.filter(pk=int(key))[:2])
    return list(qs.filter(by_text)[:2]) if key else []


def resolve_service(user: User, key: str) -> Service:
    """A service the user sees by "name #id" (a suggestion), id, or exact name."""
    key = key.strip()
    found = _named(_visible_services(user), key, Q(name__iexact=key))
    if not found:
        raise ValidationFailed({"service": _("Unknown service.")})
    if len(found) > 1:
        raise ValidationFailed(
            {"service": _("Several services have this name; pick a suggestion.")}
        )
    return found[0]


def resolve_ci(user: User, item: WorkItem, key: str) -> CI:
    """A CI of the item's tenant by "name #id" (a suggestion), id, name or identifier (exact,
    case-insensitive)."""
    from serval.cmdb.querysets import cis_visible_to

    key = key.strip()
    match = Q(name__iexact=key)
    for name in ("hostname", "fqdn", "serial", "cloud_id"):
        match |= Q(**{name: key.lower() if name in ("hostname", "fqdn") else key})
    found = _named(cis_visible_to(user).filter(tenant_id=item.tenant_id), key, match)
    if not found:
        raise ValidationFailed({"ci": _("No CI of this tenant has this name or identifier.")})
    if len(found) > 1:
        raise ValidationFailed({"ci": _("Several CIs match; use an identifier.")})
    return found[0]
