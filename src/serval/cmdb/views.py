"""CMDB pages: the CI list and its exports, a CI with its service map, impact and history, and
the imports of CIs and relationships (CSV or XLSX).

Thin adapters (DESIGN.md rule 1): reads through `serval.cmdb.querysets`, writes through the
actions (the import through `serval.cmdb.imports`). Requesters and other tenants get a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from serval.cmdb import actions, exports, history, impact, imports, servicemap, worklinks
from serval.cmdb.actions.permissions import can_edit_cis
from serval.cmdb.forms import CIForm, RelationshipForm
from serval.cmdb.models import (
    CI,
    CIRelationship,
    Environment,
    OperationalStatus,
    RelationshipType,
    ServiceCI,
)
from serval.cmdb.querysets import (
    cis_visible_to,
    class_with_descendants,
    classes_visible_to,
)
from serval.core.errors import NotFound, PermissionDenied, StaleVersion, ValidationFailed
from serval.core.exports import Format, export_response
from serval.people.models import User
from serval.services.querysets import services_visible_to
from serval.web.imports import import_page


def _agent(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not user.is_agent:
        raise Http404
    return user


def _filtered_cis(request: HttpRequest, user: User) -> tuple[QuerySet[CI], dict[str, Any]]:
    """The list's filters, shared by the page and its exports."""
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
    chosen_values = {
        "q": q,
        "classes": classes,
        "chosen": chosen.name if chosen else "",
        "status": status,
        "environment": environment,
    }
    return qs, chosen_values


@login_required
@require_GET
def ci_list(request: HttpRequest) -> HttpResponse:
    """All CIs the agent sees, filtered by text, class, status and environment."""
    user = _agent(request)
    qs, chosen = _filtered_cis(request, user)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "page": page,
        **chosen,
        "statuses": OperationalStatus.choices,
        "environments": Environment.choices,
        "query": params.urlencode(),
    }
    return render(request, "cmdb/ci_list.html", context)


@login_required
@require_GET
def ci_export(request: HttpRequest, fmt: Format) -> HttpResponse | StreamingHttpResponse:
    """The list as CSV or XLSX with its filters and visibility; the columns import back."""
    qs, _chosen = _filtered_cis(request, _agent(request))
    header, rows = exports.ci_rows(qs)
    return export_response(fmt, filename="configuration-items", header=header, rows=rows)


@login_required
@require_GET
def relationship_export(request: HttpRequest, fmt: Format) -> HttpResponse | StreamingHttpResponse:
    """The relationships among the listed CIs (same filters), as parent, type, child."""
    user = _agent(request)
    qs, _chosen = _filtered_cis(request, user)
    header, rows = exports.relationship_rows(user, qs)
    return export_response(fmt, filename="relationships", header=header, rows=rows)


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
    return _render_detail(request, user, ci)


def _render_detail(
    request: HttpRequest, user: User, ci: CI, rel_form: RelationshipForm | None = None
) -> HttpResponse:
    relationships = CIRelationship.objects.filter(Q(parent=ci) | Q(child=ci)).select_related(
        "type", "parent", "child"
    )
    result, cis, services = impact.analyse(user, [ci], direction="upstream", depth=5)
    service_map = servicemap.build(user, ci)
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
        "map": service_map,
        "on_ci": service_map.known.get(ci.pk),
    }
    if can_edit_cis(user, ci.tenant_id):
        context["statuses"] = OperationalStatus.choices
        context["rel_form"] = rel_form or RelationshipForm(user=user, ci=ci)
        context["ci_options"] = _relatable(user, ci, "")
        context["service_options"] = list(
            services_visible_to(user)
            .filter(Q(tenant_id=ci.tenant_id) | Q(shared=True))
            .exclude(pk__in=ServiceCI.objects.filter(ci=ci).values("service_id"))
            .order_by("name", "pk")
            .values_list("pk", "name")[:500]
        )
        from serval.assets.querysets import versions_visible_to

        running = [
            s.installation.software_version_id for s in getattr(context["on_ci"], "software", [])
        ]
        context["software_options"] = [
            (v.pk, f"{v.product.vendor} {v.product.name} {v.version}")
            for v in versions_visible_to(user)
            .filter(Q(tenant_id=ci.tenant_id) | Q(product__shared=True))
            .exclude(pk__in=running)
            .select_related("product")
            .order_by("product__vendor", "product__name", "version", "pk")[:500]
        ]
    history_page = Paginator(history.events(ci.pk), 50).get_page(request.GET.get("history"))
    context["history_page"] = history_page
    context["history"] = history.entries(ci, user, list(history_page.object_list))
    return render(request, "cmdb/ci_detail.html", context)


def _editable_ci(request: HttpRequest, pk: int) -> tuple[User, CI]:
    user = _agent(request)
    ci = cis_visible_to(user).filter(pk=pk).first()
    if ci is None or not can_edit_cis(user, ci.tenant_id):
        raise Http404
    return user, ci


@login_required
@require_POST
def ci_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Set the CI's operational status from its page; incidents near it are refreshed."""
    user, ci = _editable_ci(request, pk)
    status = request.POST.get("operational_status", "")
    version = request.POST.get("version", "")
    try:
        if status not in OperationalStatus.values:
            raise ValidationFailed({"operational_status": _("Choose an operational status.")})
        ci = actions.update_ci(
            actor=user,
            ci=ci,
            expected_version=int(version) if version.isdigit() else None,
            operational_status=status,
        )
    except ValidationFailed as exc:
        for message in exc.as_dict().values():
            messages.error(request, message)
    except StaleVersion:
        messages.error(request, _("Someone else changed this CI meanwhile; try again."))
    else:
        messages.success(
            request,
            _("%(name)s is now %(status)s.")
            % {"name": ci.name, "status": ci.get_operational_status_display()},
        )
    return redirect("cmdb-ci-detail", ci.pk)


@login_required
@require_POST
def ci_service_links(request: HttpRequest, pk: int) -> HttpResponse:
    """Say that a service is realized by this CI, or no longer."""
    user, ci = _editable_ci(request, pk)
    key = request.POST.get("service", "")
    service = (
        services_visible_to(user).filter(pk=int(key)).first()
        if key.isdigit() and len(key) < 19
        else None
    )
    try:
        if service is None:
            raise ValidationFailed({"service": _("Choose a service.")})
        if request.POST.get("op") == "unlink":
            link = ServiceCI.objects.filter(ci=ci, service=service).first()
            if link is None:
                raise ValidationFailed({"service": _("This CI does not realize that service.")})
            actions.unlink_service(actor=user, link=link)
            done = _("%(ci)s no longer realizes %(service)s.")
        else:
            actions.link_service(actor=user, service=service, ci=ci)
            done = _("%(ci)s now realizes %(service)s.")
    except ValidationFailed as exc:
        for message in exc.as_dict().values():
            messages.error(request, message)
    except (PermissionDenied, NotFound) as exc:
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, done % {"ci": ci.name, "service": service.name})
    return redirect("cmdb-ci-detail", ci.pk)


def _verb(rel_type: RelationshipType) -> str:
    """The type's label inside a sentence: "app-1 depends on db-1"."""
    return rel_type.label[:1].lower() + rel_type.label[1:]


def _relatable(user: User, ci: CI, text: str) -> list[tuple[str, str]]:
    """Up to 50 CIs of the CI's tenant to suggest as the other end, as (value, description)."""
    qs = cis_visible_to(user).filter(tenant_id=ci.tenant_id).exclude(pk=ci.pk)
    text = text.strip()[:200]
    return worklinks.ci_suggestions(qs, "" if text.startswith("#") else text)


@login_required
@require_http_methods(["GET", "POST"])
def ci_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create (pk None) or change a CI, with its class attributes as typed fields.

    Choosing a class re-renders the form with that class's attributes (htmx, or the "Show its
    attributes" button without JavaScript: a POST with `refresh`, which saves nothing).
    """
    user = _agent(request)
    ci = None
    if pk is not None:
        user, ci = _editable_ci(request, pk)
    elif not can_edit_cis(user, user.tenant_id):
        raise Http404
    if request.method == "POST" and "refresh" in request.POST:
        form = CIForm(user=user, ci=ci, prefill=request.POST)
    else:
        form = CIForm(
            request.POST if request.method == "POST" else None,
            user=user,
            ci=ci,
            chosen=request.GET.get("class", "")[:20],
        )
        if request.method == "POST" and form.is_valid():
            try:
                values = form.action_values(user)
                if ci is None:
                    ci = actions.create_ci(actor=user, tenant=form.chosen_tenant(user), **values)
                    messages.success(request, _("The CI “%s” was created.") % ci.name)
                else:
                    ci = actions.update_ci(
                        actor=user,
                        ci=ci,
                        expected_version=form.cleaned_data.get("version"),
                        **values,
                    )
                    messages.success(request, _("The CI “%s” was saved.") % ci.name)
                return redirect("cmdb-ci-detail", ci.pk)
            except ValidationFailed as exc:
                form.add_action_errors(exc)
            except StaleVersion:
                form.add_error(
                    None, _("Someone else saved this CI meanwhile; reload it and try again.")
                )
            except (PermissionDenied, NotFound) as exc:
                form.add_error(None, str(exc.detail))
    action = reverse("cmdb-ci-edit", args=[ci.pk]) if ci else reverse("cmdb-ci-new")
    return render(request, "cmdb/ci_form.html", {"form": form, "ci": ci, "action": action})


@login_required
@require_http_methods(["GET", "POST"])
def ci_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask, then delete the CI with its relationships and service links (all journaled)."""
    user, ci = _editable_ci(request, pk)
    if request.method == "POST":
        try:
            actions.delete_ci(actor=user, ci=ci)
        except (PermissionDenied, NotFound) as exc:
            messages.error(request, str(exc.detail))
            return redirect("cmdb-ci-detail", ci.pk)
        messages.success(request, _("The CI “%s” was deleted.") % ci.name)
        return redirect("cmdb-ci-list")
    relationships = CIRelationship.objects.filter(Q(parent=ci) | Q(child=ci)).count()
    links = ServiceCI.objects.filter(ci=ci).count()
    context = {
        "title": _("Delete “%s”?") % ci.name,
        "question": _(
            "The CI goes, with its %(rels)d relationship(s) and %(links)d service link(s); "
            "incidents that name it stop doing so. Its history stays in the journal."
        )
        % {"rels": relationships, "links": links},
        "action": reverse("cmdb-ci-delete", args=[ci.pk]),
        "button": _("Delete the CI"),
        "cancel": reverse("cmdb-ci-detail", args=[ci.pk]),
        "ci": ci,
    }
    return render(request, "cmdb/confirm.html", context)


@login_required
@require_POST
def ci_relationship_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Relate this CI to another, as parent or child; refusals come back as form errors."""
    user, ci = _editable_ci(request, pk)
    ci = CI.objects.select_related("ci_class", "owner", "support_team", "tenant").get(pk=ci.pk)
    form = RelationshipForm(request.POST, user=user, ci=ci)
    if form.is_valid():
        parent, child = form.ends()
        try:
            rel = actions.create_relationship(
                actor=user, parent=parent, child=child, type=form.types[form.cleaned_data["type"]]
            )
        except ValidationFailed as exc:
            form.add_action_errors(exc)
        except (PermissionDenied, NotFound) as exc:
            form.add_error("other", str(exc.detail))
        else:
            messages.success(
                request,
                _("%(parent)s %(type)s %(child)s.")
                % {"parent": parent.name, "type": _verb(rel.type), "child": child.name},
            )
            return redirect("cmdb-ci-detail", ci.pk)
    return _render_detail(request, user, ci, rel_form=form)


@login_required
@require_GET
def ci_relationship_options(request: HttpRequest, pk: int) -> HttpResponse:
    """The suggestions of the relationship form (htmx): CIs of this CI's tenant, at most 50."""
    user, ci = _editable_ci(request, pk)
    options = _relatable(user, ci, request.GET.get("other", ""))
    return render(request, "cmdb/_ci_options.html", {"ci_options": options})


@login_required
@require_http_methods(["GET", "POST"])
def ci_relationship_remove(request: HttpRequest, pk: int, rel: int) -> HttpResponse:
    """Ask, then remove one relationship of this CI; incidents near it are refreshed."""
    user, ci = _editable_ci(request, pk)
    found = (
        CIRelationship.objects.filter(Q(parent=ci) | Q(child=ci), pk=rel)
        .select_related("type", "parent", "child")
        .first()
    )
    if found is None:
        raise Http404
    sentence = _("%(parent)s %(type)s %(child)s") % {
        "parent": found.parent.name,
        "type": _verb(found.type),
        "child": found.child.name,
    }
    if request.method == "POST":
        try:
            actions.delete_relationship(actor=user, relationship=found)
        except (PermissionDenied, NotFound) as exc:
            messages.error(request, str(exc.detail))
        else:
            messages.success(request, _("Removed: %s.") % sentence)
        return redirect("cmdb-ci-detail", ci.pk)
    context = {
        "title": _("Remove this relationship?"),
        "question": _("“%s” is removed; impact and incidents near it are recomputed.") % sentence,
        "action": reverse("cmdb-ci-relationship-remove", args=[ci.pk, found.pk]),
        "button": _("Remove the relationship"),
        "cancel": reverse("cmdb-ci-detail", args=[ci.pk]),
        "ci": ci,
    }
    return render(request, "cmdb/confirm.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def ci_import(request: HttpRequest) -> HttpResponse:
    """Upload CSV or XLSX; a dry run shows what would happen; a real run writes all or none."""
    user = _agent(request)
    return import_page(
        request,
        template="cmdb/ci_import.html",
        context={"columns": imports.COLUMNS},
        run=lambda data, name, dry_run: imports.import_cis(
            actor=user, data=data, dry_run=dry_run, filename=name
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def relationship_import(request: HttpRequest) -> HttpResponse:
    """Upload (parent, type, child) rows; all or none, with a dry run first."""
    user = _agent(request)
    return import_page(
        request,
        template="cmdb/relationship_import.html",
        context={
            "columns": imports.RELATIONSHIP_COLUMNS,
            "types": RelationshipType.objects.order_by("name"),
        },
        run=lambda data, name, dry_run: imports.import_relationships(
            actor=user, data=data, dry_run=dry_run, filename=name
        ),
    )
