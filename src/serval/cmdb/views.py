"""CMDB pages: the CI list, a CI with its service map, impact and history, and CSV import.

Thin adapters (DESIGN.md rule 1): reads through `serval.cmdb.querysets`, writes through the
actions (the import through `serval.cmdb.imports`). Requesters and other tenants get a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from serval.cmdb import history, impact, imports, servicemap
from serval.cmdb.models import CIRelationship, Environment, OperationalStatus, ServiceCI
from serval.cmdb.querysets import (
    cis_visible_to,
    class_with_descendants,
    classes_visible_to,
)
from serval.core.errors import NotFound, PermissionDenied, ValidationFailed
from serval.core.imports import MAX_BYTES as MAX_IMPORT_BYTES
from serval.people.models import User


def _agent(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not user.is_agent:
        raise Http404
    return user


@login_required
def ci_list(request: HttpRequest) -> HttpResponse:
    """All CIs the agent sees, filtered by text, class, status and environment."""
    user = _agent(request)
    qs = cis_visible_to(user).select_related("ci_class", "support_team").order_by("name", "pk")
    q = request.GET.get("q", "").strip()[:200]
    if q:
        qs = qs.filter(
            Q(name__icontains=q) | Q(hostname__icontains=q) | Q(fqdn__icontains=q) | Q(serial=q)
        )
    classes = list(classes_visible_to(user).order_by("label"))
    chosen = next((c for c in classes if c.name == request.GET.get("class")), None)
    if chosen:
        qs = qs.filter(ci_class_id__in=class_with_descendants(user, chosen))
    status = request.GET.get("status", "")
    if status in OperationalStatus.values:
        qs = qs.filter(operational_status=status)
    environment = request.GET.get("environment", "")
    if environment in Environment.values:
        qs = qs.filter(environment=environment)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "page": page,
        "q": q,
        "classes": classes,
        "chosen": chosen.name if chosen else "",
        "status": status,
        "statuses": OperationalStatus.choices,
        "environment": environment,
        "environments": Environment.choices,
        "query": params.urlencode(),
    }
    return render(request, "cmdb/ci_list.html", context)


@login_required
def ci_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One CI: its fields, relationships, services, upstream impact, map and history."""
    user = _agent(request)
    ci = (
        cis_visible_to(user)
        .select_related("ci_class", "owner", "support_team", "tenant")
        .filter(pk=pk)
        .first()
    )
    if ci is None:
        raise Http404
    relationships = CIRelationship.objects.filter(Q(parent=ci) | Q(child=ci)).select_related(
        "type", "parent", "child"
    )
    result, cis, services = impact.analyse(user, [ci], direction="upstream", depth=5)
    context: dict[str, Any] = {
        "ci": ci,
        "relationships": relationships,
        "links": ServiceCI.objects.filter(ci=ci).select_related("service"),
        "impact": result,
        "impact_cis": [(h, cis[h.id]) for h in result.cis[:50]],
        "impact_services": [(h, services[h.id]) for h in result.services[:50]],
        "impact_held": [(h, cis[h.id]) for h in result.held[:50] if h.id in cis],
        "impact_skipped": [cis[pk] for pk in result.skipped[:50] if pk in cis and pk != ci.pk],
        "in_maintenance": ci.pk in result.skipped,
        "map": servicemap.build(user, ci),
    }
    history_page = Paginator(history.events(ci.pk), 50).get_page(request.GET.get("history"))
    context["history_page"] = history_page
    context["history"] = history.entries(ci, user, list(history_page.object_list))
    return render(request, "cmdb/ci_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def ci_import(request: HttpRequest) -> HttpResponse:
    """Upload a CSV; a dry run shows what would happen; a real run writes all rows or none."""
    user = _agent(request)
    context: dict[str, Any] = {"columns": imports.COLUMNS}
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise ValidationFailed({"file": "Choose a CSV file."})
            if upload.size is None or upload.size > MAX_IMPORT_BYTES:
                raise ValidationFailed({"file": "At most 2 MB."})
            context["result"] = imports.import_cis(
                actor=user, data=upload.read(), dry_run=request.POST.get("apply") != "1"
            )
        except ValidationFailed as exc:
            context["errors"] = exc.errors
        except (PermissionDenied, NotFound) as exc:
            raise Http404 from exc
    return render(request, "cmdb/ci_import.html", context)
