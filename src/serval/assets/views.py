"""Asset pages: the asset list and one asset, the software catalogue, licence compliance,
contracts and the end-of-life report, each list with its CSV and XLSX export.

Thin adapters (DESIGN.md rule 1): reads through `serval.assets.querysets`, the report through
`serval.assets.eol`, positions through `serval.assets.compliance`. Asset management is agents'
work: requesters and other tenants get a 404. Writes are made through the API and actions.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from serval.assets import compliance, eol, history, imports, reminders
from serval.assets import software as catalogue
from serval.assets.models import (
    Asset,
    AssetKind,
    Contract,
    ContractType,
    ReminderKind,
    SoftwareVersion,
)
from serval.assets.querysets import (
    assets_visible_to,
    contracts_visible_to,
    installations_visible_to,
    licences_visible_to,
    products_visible_to,
    versions_visible_to,
)
from serval.cmdb.actions.permissions import can_edit_cis
from serval.cmdb.models import LifecycleStage
from serval.cmdb.querysets import cis_visible_to
from serval.core.errors import NotFound, PermissionDenied, ValidationFailed
from serval.core.exports import Format, export_response
from serval.core.tenancy import reach
from serval.people.models import User
from serval.web.imports import import_page


def _agent(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not user.is_agent:
        raise Http404
    return user


def _key(request: HttpRequest, name: str) -> int | None:
    value = request.POST.get(name, "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 19 else None


def _label(version: SoftwareVersion) -> str:
    return f"{version.product.vendor} {version.product.name} {version.version}"


@login_required
@require_POST
def ci_software(request: HttpRequest, ci_pk: int) -> HttpResponse:
    """Record on a CI's page that it runs a software version, or no longer does."""
    user = _agent(request)
    ci = cis_visible_to(user).filter(pk=ci_pk).first()
    if ci is None or not can_edit_cis(user, ci.tenant_id):
        raise Http404
    try:
        if request.POST.get("op") == "remove":
            pk = _key(request, "installation")
            inst = (
                installations_visible_to(user)
                .select_related("software_version__product")
                .filter(ci=ci, pk=pk)
                .first()
                if pk
                else None
            )
            if inst is None:
                raise ValidationFailed({"installation": _("Unknown installation.")})
            name = _label(inst.software_version)
            catalogue.delete_installation(actor=user, installation=inst)
            done = _("%(ci)s no longer runs %(version)s.")
        else:
            pk = _key(request, "software_version")
            version = (
                versions_visible_to(user).select_related("product").filter(pk=pk).first()
                if pk
                else None
            )
            if version is None:
                raise ValidationFailed({"software_version": _("Choose a software version.")})
            name = _label(version)
            catalogue.create_installation(actor=user, ci=ci, software_version=version)
            done = _("%(ci)s runs %(version)s.")
    except ValidationFailed as exc:
        for message in exc.as_dict().values():
            messages.error(request, message)
    except (PermissionDenied, NotFound) as exc:
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, done % {"ci": ci.name, "version": name})
    return redirect("cmdb-ci-detail", ci.pk)


def _within(request: HttpRequest) -> int:
    value = request.GET.get("within", "90")
    return int(value) if value in ("90", "180", "365") else 90


def _filtered_assets(request: HttpRequest, user: User) -> tuple[QuerySet[Asset], dict[str, Any]]:
    """The list's filters, shared by the page and its CSV export."""
    qs = assets_visible_to(user).select_related("ci", "assigned_to").order_by("name", "pk")
    q = request.GET.get("q", "").strip()[:200]
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(asset_tag__icontains=q) | Q(serial__icontains=q))
    kind = request.GET.get("kind", "")
    if kind in AssetKind.values:
        qs = qs.filter(kind=kind)
    stage = request.GET.get("stage", "")
    if stage in LifecycleStage.values:
        qs = qs.filter(lifecycle_stage=stage)
    mine = request.GET.get("mine") == "1"
    if mine:
        qs = qs.filter(assigned_to=user)
    location = request.GET.get("location", "").strip()[:200]
    if location:
        qs = qs.filter(location=location)
    return qs, {"q": q, "kind": kind, "stage": stage, "mine": mine, "location": location}


@login_required
@require_GET
def asset_list(request: HttpRequest) -> HttpResponse:
    """All assets the agent sees, filtered by text, kind, lifecycle stage, assignee, location."""
    user = _agent(request)
    qs, chosen = _filtered_assets(request, user)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "page": page,
        **chosen,
        "kinds": AssetKind.choices,
        "stages": LifecycleStage.choices,
        "query": params.urlencode(),
    }
    return render(request, "assets/asset_list.html", context)


EXPORT_COLUMNS = [
    ("name", "name"),
    ("kind", "kind"),
    ("asset_tag", "asset_tag"),
    ("serial", "serial"),
    ("model", "model"),
    ("manufacturer", "manufacturer"),
    ("ci", "ci__name"),
    ("lifecycle_stage", "lifecycle_stage"),
    ("lifecycle_status", "lifecycle_status"),
    ("assigned_to", "assigned_to__username"),
    ("location", "location"),
    ("cost_centre", "cost_centre"),
    ("cost", "cost"),
    ("purchase_order", "purchase_order"),
    ("purchase_date", "purchase_date"),
    ("vendor", "vendor"),
    ("warranty_end", "warranty_end"),
    ("lease_end", "lease_end"),
]
EXPORT_MAX_ROWS = 100_000


@login_required
@require_GET
def asset_export(request: HttpRequest, fmt: Format = "csv") -> HttpResponse | StreamingHttpResponse:
    """The list as CSV or XLSX, with the page's filters and visibility; the columns import back."""
    qs, _chosen = _filtered_assets(request, _agent(request))
    fields = [f for _name, f in EXPORT_COLUMNS]
    rows = qs.values_list(*fields)[:EXPORT_MAX_ROWS].iterator(chunk_size=2000)
    header = [name for name, _f in EXPORT_COLUMNS]
    return export_response(fmt, filename="assets", header=header, rows=rows)


@login_required
@require_http_methods(["GET", "POST"])
def asset_import(request: HttpRequest) -> HttpResponse:
    """Upload CSV or XLSX; a dry run shows what would happen; a real run writes all or none."""
    user = _agent(request)
    return import_page(
        request,
        template="assets/asset_import.html",
        context={"columns": imports.COLUMNS},
        run=lambda data, name, dry_run: imports.import_assets(
            actor=user, data=data, dry_run=dry_run, filename=name
        ),
    )


def _filtered_contracts(request: HttpRequest, user: User) -> tuple[QuerySet[Contract], str]:
    qs = (
        contracts_visible_to(user)
        .annotate(covered=Count("covered_assets"))
        .order_by(F("end_date").asc(nulls_last=True), "name", "pk")
    )
    kind = request.GET.get("type", "")
    if kind in ContractType.values:
        qs = qs.filter(type=kind)
    return qs, kind


@login_required
@require_GET
def contracts(request: HttpRequest) -> HttpResponse:
    """Contracts by end date, with the last day to give renewal notice and what they cover."""
    user = _agent(request)
    qs, kind = _filtered_contracts(request, user)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [
        (
            c,
            c.end_date - timedelta(days=c.renewal_notice_days) if c.end_date else None,
        )
        for c in page.object_list
    ]
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "page": page,
        "rows": rows,
        "today": today,
        "type": kind,
        "types": ContractType.choices,
        "query": params.urlencode(),
    }
    return render(request, "assets/contracts.html", context)


@login_required
@require_GET
def asset_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One asset: its fields, CI, contracts, the software on its CI, and its history."""
    user = _agent(request)
    asset = (
        assets_visible_to(user)
        .select_related("ci__ci_class", "assigned_to", "tenant")
        .filter(pk=pk)
        .first()
    )
    if asset is None:
        raise Http404
    today = timezone.localdate()
    installations: list[Any] = []
    if asset.ci_id:
        installations = [
            (i, eol.phase(i.software_version, today) if eol.milestone(i.software_version) else "")
            for i in installations_visible_to(user)
            .filter(ci_id=asset.ci_id)
            .select_related("software_version__product")
            .order_by("software_version__product__name", "software_version__version")
        ]
    context = {
        "asset": asset,
        "contracts": asset.contracts.order_by("end_date", "name"),
        "installations": installations,
        "phases": eol.PHASES,
    }
    history_page = Paginator(history.events(asset.pk), 50).get_page(request.GET.get("history"))
    context["history_page"] = history_page
    context["history"] = history.entries(user, list(history_page.object_list))
    return render(request, "assets/asset_detail.html", context)


@login_required
@require_GET
def software(request: HttpRequest) -> HttpResponse:
    """The software catalogue: products with their versions, lifecycle dates and install counts."""
    user = _agent(request)
    today = timezone.localdate()
    versions = SoftwareVersion.objects.annotate(
        installed=Count(
            "installations",
            filter=Q(installations__tenant_id__in=reach(user)),
        )
    ).order_by("version", "pk")
    q = request.GET.get("q", "").strip()[:200]
    qs = products_visible_to(user).prefetch_related(Prefetch("versions", queryset=versions))
    if q:
        qs = qs.filter(Q(vendor__icontains=q) | Q(name__icontains=q))
    page = Paginator(qs.order_by("vendor", "name", "pk"), 25).get_page(request.GET.get("page"))
    rows = [
        (
            p,
            [
                (v, eol.phase(v, today) if eol.milestone(v) else "", eol.milestone(v))
                for v in p.versions.all()
            ],
        )
        for p in page.object_list
    ]
    context = {
        "page": page,
        "rows": rows,
        "q": q,
        "query": urlencode({"q": q}) if q else "",
        "phases": eol.PHASES,
        "today": today,
        # The forms of serval.assets.software_views: administrators of the product's tenant.
        "catalogue_tenants": reach(user) if user.is_admin else frozenset(),
        "can_add_product": catalogue.can_manage_catalogue(user, user.tenant_id),
    }
    return render(request, "assets/software.html", context)


@login_required
@require_GET
def licences(request: HttpRequest) -> HttpResponse:
    """Licences with their pool's compliance position: entitlements − consumption per metric."""
    user = _agent(request)
    qs = licences_visible_to(user).select_related("product").order_by("product__name", "name", "pk")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    items = list(page.object_list)
    positions = compliance.positions(compliance.pool_of(x) for x in items)
    rows = [(x, positions[compliance.pool_of(x)]) for x in items]
    shortfalls = sum(
        1 for p in {compliance.pool_of(x): p for x, p in rows}.values() if not p.compliant
    )
    context = {"page": page, "rows": rows, "shortfalls": shortfalls}
    return render(request, "assets/licences.html", context)


@login_required
@require_GET
def eol_report(request: HttpRequest) -> HttpResponse:
    """Installations reaching end of support or life within 90 / 180 / 365 days, and past."""
    user = _agent(request)
    within = _within(request)
    result = eol.report(user, within=within)
    horizons = [("past", result.counts["past"])] + [
        (str(h), result.counts[str(h)]) for h in eol.HORIZONS
    ]
    context = {
        "report": result,
        "within": within,
        "within_text": str(within),
        "horizons": horizons,
    }
    return render(request, "assets/eol.html", context)


@login_required
@require_GET
def eol_export(request: HttpRequest, fmt: Format = "csv") -> HttpResponse | StreamingHttpResponse:
    """The report as CSV or XLSX, one row per installation, spreadsheet formulas neutralised."""
    user = _agent(request)
    within = _within(request)
    result = eol.report(user, within=within)
    return export_response(
        fmt,
        filename=f"end-of-life-{within}-days",
        header=eol.CSV_HEADER,
        rows=eol.csv_rows(result),
    )


@login_required
@require_GET
def contract_export(request: HttpRequest, fmt: Format) -> HttpResponse | StreamingHttpResponse:
    """Contracts (with the list's type filter) and the last day to give notice."""
    qs, _kind = _filtered_contracts(request, _agent(request))
    header = [
        "name",
        "type",
        "vendor",
        "start_date",
        "end_date",
        "renewal_notice_days",
        "notice_date",
        "cost",
        "covered_assets",
    ]

    def rows() -> Any:
        for c in qs[:EXPORT_MAX_ROWS].iterator(chunk_size=2000):
            notice = c.end_date - timedelta(days=c.renewal_notice_days) if c.end_date else None
            yield [
                c.name,
                c.type,
                c.vendor,
                c.start_date,
                c.end_date,
                c.renewal_notice_days,
                notice,
                c.cost,
                c.covered,  # type: ignore[attr-defined]
            ]

    return export_response(fmt, filename="contracts", header=header, rows=rows())


@login_required
@require_GET
def software_export(request: HttpRequest, fmt: Format) -> HttpResponse | StreamingHttpResponse:
    """One row per product version (with the list's search), its dates, phase and installs."""
    user = _agent(request)
    today = timezone.localdate()
    q = request.GET.get("q", "").strip()[:200]
    qs = SoftwareVersion.objects.filter(product__in=products_visible_to(user)).annotate(
        installed=Count("installations", filter=Q(installations__tenant_id__in=reach(user)))
    )
    if q:
        qs = qs.filter(Q(product__vendor__icontains=q) | Q(product__name__icontains=q))
    qs = qs.select_related("product").order_by("product__vendor", "product__name", "version")
    header = [
        "vendor",
        "product",
        "version",
        "ga_date",
        "end_of_support",
        "end_of_extended_support",
        "end_of_life",
        "dates_source",
        "phase",
        "installations",
    ]

    def rows() -> Any:
        for v in qs[:EXPORT_MAX_ROWS].iterator(chunk_size=2000):
            phase = eol.phase(v, today) if eol.milestone(v) else ""
            yield [
                v.product.vendor,
                v.product.name,
                v.version,
                v.ga_date,
                v.end_of_support,
                v.end_of_extended_support,
                v.end_of_life,
                v.dates_source,
                phase,
                v.installed,  # type: ignore[attr-defined]
            ]

    return export_response(fmt, filename="software", header=header, rows=rows())


@login_required
@require_GET
def licence_export(request: HttpRequest, fmt: Format) -> HttpResponse | StreamingHttpResponse:
    """Licences with their pool's compliance position (entitlements − consumption)."""
    user = _agent(request)
    items = list(
        licences_visible_to(user)
        .select_related("product")
        .order_by("product__name", "name", "pk")[:EXPORT_MAX_ROWS]
    )
    positions = compliance.positions(compliance.pool_of(x) for x in items)
    header = [
        "name",
        "vendor",
        "product",
        "metric",
        "quantity",
        "term_start",
        "term_end",
        "pool_entitlements",
        "pool_consumption",
        "pool_position",
        "compliant",
    ]
    rows = []
    for x in items:
        p = positions[compliance.pool_of(x)]
        rows.append(
            [
                x.name,
                x.product.vendor,
                x.product.name,
                x.metric,
                x.quantity,
                x.term_start,
                x.term_end,
                p.entitlements,
                p.consumption,
                p.position,
                p.compliant,
            ]
        )
    return export_response(fmt, filename="licences", header=header, rows=rows)


REMINDER_WINDOWS = ("30", "90", "180", "365")


@login_required
@require_GET
def reminders_page(request: HttpRequest) -> HttpResponse:
    """Upcoming warranty, lease, contract and support dates, and the reminders sent for them."""
    user = _agent(request)
    options = reminders.horizons()
    within_raw = request.GET.get("within", "")
    within = int(within_raw) if within_raw in REMINDER_WINDOWS else max(options)
    kind = request.GET.get("kind", "")
    items = reminders.due(
        tenant_ids=reach(user),
        within=within,
        kinds=[kind] if kind in ReminderKind.values else None,
    )
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    reminders.attach_sent(list(page.object_list))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "page": page,
        "within": within,
        "windows": REMINDER_WINDOWS,
        "kind": kind,
        "kinds": ReminderKind.choices,
        "horizons": options,
        "query": params.urlencode(),
    }
    return render(request, "assets/reminders.html", context)
