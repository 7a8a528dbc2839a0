"""Service pages: the portfolio (pipeline / catalogue / retired) and one service.

Reads go through `services_visible_to` (requesters see the live catalogue only); out of reach
is a 404. Writes are made through the API and actions.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from serval.cmdb.models import ServiceCI
from serval.cmdb.querysets import cis_visible_to
from serval.people.models import User
from serval.services.models import ServiceStatus
from serval.services.querysets import services_visible_to


@login_required
def portfolio(request: HttpRequest) -> HttpResponse:
    """The portfolio in its three parts; business and technical views by `?kind=`."""
    user: User = request.user  # type: ignore[assignment]
    qs = services_visible_to(user).select_related("owner", "support_team", "parent")
    kind = request.GET.get("kind", "")
    if kind in ("business", "technical", "offering"):
        qs = qs.filter(kind=kind)
    groups = [
        (value, label, [s for s in qs if s.status == value])
        for value, label in ServiceStatus.choices
    ]
    return render(request, "services/portfolio.html", {"groups": groups, "kind": kind})


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    service = (
        services_visible_to(user)
        .select_related("owner", "support_team", "parent", "tenant")
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
    }
    return render(request, "services/detail.html", context)
