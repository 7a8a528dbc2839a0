"""The page behind an approval e-mail's approve/reject links (`serval.approvals.links`).

GET shows the change and a confirmation form and never decides (mail scanners and previews
fetch links); the form's POST decides, without a sign-in. It is exempt from CSRF on purpose:
the signed token in the URL is the only credential, no cookie authorises anything, so a forged
cross-site POST can do nothing that holding the token would not already allow. Forged,
expired, used (decided) and foreign tokens get a page that says so, never an error page. The
page is not cached, not indexed and sends no Referer, so the token stays in the mail.
"""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from serval.approvals import links
from serval.approvals.forms import DecisionForm
from serval.core.errors import ValidationFailed

PROBLEM_STATUS = {"invalid": 400, "expired": 410, "closed": 409, "not_allowed": 403}


def _headers(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _problem(request: HttpRequest, problem: links.LinkProblem) -> HttpResponse:
    response = render(
        request,
        "approvals/link_problem.html",
        {"code": problem.code, "approval": problem.approval},
        status=PROBLEM_STATUS.get(problem.code, 400),
    )
    return _headers(response)


def _zone(user: Any) -> Any:
    try:
        return zoneinfo.ZoneInfo(user.time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def _page(
    request: HttpRequest, target: links.LinkTarget, form: DecisionForm, status: int = 200
) -> HttpResponse:
    from serval.changes.models import ChangeDetail
    from serval.cmdb.models import ImpactedService

    item = target.approval.work_item
    detail = ChangeDetail.objects.filter(work_item=item).first()
    impacted = list(
        ImpactedService.objects.filter(work_item=item)
        .select_related("service")
        .order_by("depth", "service__name")
        .values_list("service__name", flat=True)[:50]
    )
    with timezone.override(_zone(target.actor)):
        response = render(
            request,
            "approvals/link.html",
            {
                "target": target,
                "approval": target.approval,
                "item": item,
                "detail": detail,
                "impacted": impacted,
                "form": form,
            },
            status=status,
        )
    return _headers(response)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def link(request: HttpRequest, token: str) -> HttpResponse:
    try:
        target = links.read(token)
    except links.LinkProblem as problem:
        return _problem(request, problem)
    if request.method == "GET":
        choice = request.GET.get("decision")
        initial = {"decision": choice} if choice in ("approve", "reject") else {}
        return _page(request, target, DecisionForm(initial=initial, auto_id="link-%s"))
    form = DecisionForm(request.POST, auto_id="link-%s")
    if not form.is_valid():
        return _page(request, target, form, status=422)
    try:
        approval = links.decide(token, approve=form.approve, comment=form.cleaned_data["comment"])
    except links.LinkProblem as problem:
        return _problem(request, problem)
    except ValidationFailed as exc:
        for name, message in exc.as_dict().items():
            form.add_error(name if name in form.fields else None, message)
        return _page(request, target, form, status=422)
    with timezone.override(_zone(target.actor)):
        response = render(
            request,
            "approvals/link_done.html",
            {"approval": approval, "item": target.approval.work_item, "target": target},
        )
    return _headers(response)
