"""Service pages: the portfolio (pipeline / catalogue / retired) with its exports, one service,
and the form that creates or edits a service.

Reads go through `services_visible_to` (requesters see the live catalogue only); out of reach
is a 404. Writes go through `serval.services.actions`; the form is for the managers and
administrators who maintain the portfolio, a 404 for everyone else.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from serval.cmdb.models import ServiceCI
from serval.cmdb.querysets import cis_visible_to
from serval.core.errors import StaleVersion, ValidationFailed
from serval.core.exports import Format, export_response
from serval.people.models import User
from serval.services import actions
from serval.services.forms import ServiceForm
from serval.services.models import Service, ServiceKind, ServiceStatus
from serval.services.querysets import services_visible_to


def _filtered(request: HttpRequest, user: User) -> tuple[QuerySet[Service], str]:
    qs = services_visible_to(user).select_related("owner", "support_team", "parent")
    kind = request.GET.get("kind", "")
    if kind in ServiceKind.values:
        qs = qs.filter(kind=kind)
    return qs.order_by("name", "pk"), kind


@login_required
@require_GET
def portfolio(request: HttpRequest) -> HttpResponse:
    """The portfolio in its three parts; business and technical views by `?kind=`."""
    user: User = request.user  # type: ignore[assignment]
    qs, kind = _filtered(request, user)
    groups = [
        (value, label, [s for s in qs if s.status == value])
        for value, label in ServiceStatus.choices
    ]
    context = {
        "groups": groups,
        "kind": kind,
        "query": urlencode({"kind": kind}) if kind else "",
        "can_create": actions.can_maintain(user, user.tenant_id),
    }
    return render(request, "services/portfolio.html", context)


EXPORT_COLUMNS = [
    ("name", "name"),
    ("kind", "kind"),
    ("service", "parent__name"),
    ("status", "status"),
    ("criticality", "criticality"),
    ("owner", "owner__username"),
    ("support_team", "support_team__name"),
    ("cost", "cost"),
    ("value", "value"),
    ("service_hours", "service_hours__name"),
    ("description", "description"),
]


@login_required
@require_GET
def export(request: HttpRequest, fmt: Format) -> HttpResponse | StreamingHttpResponse:
    """The portfolio (with its view) as CSV or XLSX; costs only for agents, as on the pages."""
    user: User = request.user  # type: ignore[assignment]
    qs, _kind = _filtered(request, user)
    columns = [(n, f) for n, f in EXPORT_COLUMNS if user.is_agent or n not in ("cost", "value")]
    customers: dict[int, list[str]] = {}
    for pk, name in qs.values_list("pk", "customers__name").order_by("pk", "customers__name"):
        if name:
            customers.setdefault(pk, []).append(name)
    fields = ["pk", *(f for _n, f in columns)]

    def rows() -> Any:
        for pk, *values in qs.values_list(*fields)[:100_000].iterator(chunk_size=2000):
            yield [*values, "; ".join(customers.get(pk, []))]

    header = [n for n, _f in columns] + ["customers"]
    return export_response(fmt, filename="services", header=header, rows=rows())


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    service = (
        services_visible_to(user)
        .select_related("owner", "support_team", "parent", "tenant", "service_hours")
        .filter(pk=pk)
        .first()
    )
    if service is None:
        raise Http404
    links = ServiceCI.objects.filter(service=service, ci__in=cis_visible_to(user)).select_related(
        "ci__ci_class"
    )
    context = {
        "service": service,
        "customers": service.customers.all(),
        "offerings": services_visible_to(user).filter(parent=service),
        "links": links,
        "can_edit": actions.can_maintain(user, service.tenant_id),
    }
    return render(request, "services/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create (pk None) or change a service; managers and administrators of its tenant."""
    user: User = request.user  # type: ignore[assignment]
    service = None
    if pk is not None:
        service = services_visible_to(user).filter(pk=pk).select_related("tenant").first()
        if service is None or not actions.can_maintain(user, service.tenant_id):
            raise Http404
    elif not actions.can_maintain(user, user.tenant_id):
        raise Http404
    form = ServiceForm(request.POST or None, user=user, service=service)
    if request.method == "POST" and form.is_valid():
        try:
            values = form.action_values(user)
            if service is None:
                service = actions.create_service(actor=user, **values)
                messages.success(request, _("The service “%s” was created.") % service.name)
            else:
                service = actions.update_service(
                    actor=user,
                    service=service,
                    expected_version=form.cleaned_data.get("version"),
                    **values,
                )
                messages.success(request, _("The service “%s” was saved.") % service.name)
            return redirect("services-detail", service.pk)
        except ValidationFailed as exc:
            for name, message in exc.as_dict().items():
                form.add_error(name if name in form.fields else None, str(message))
        except StaleVersion:
            form.add_error(
                None, _("Someone else saved this service meanwhile; reload it and try again.")
            )
    return render(request, "services/form.html", {"form": form, "service": service})
