"""Deciding in the browser: the approvals panel of a change, the decide form behind it, the
approval view of a change (what an approver who is not an agent reads before deciding), and
"My approvals" with its count for the navigation."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from serval.approvals import engine, summary
from serval.approvals.forms import DecisionForm
from serval.approvals.models import Approval, ApprovalState
from serval.approvals.querysets import approvals_visible_to
from serval.approvals.views.common import PAGE_SIZE, change_page, or_404, safe_next, user_of
from serval.changes.querysets import access_change
from serval.core.errors import PermissionDenied, ValidationFailed
from serval.work.models import WorkItem


def panel(item: Any, detail: Any, user: Any) -> dict[str, Any] | None:
    """The approvals card of the change page (`serval.changes.panels`)."""
    rounds = summary.rounds_of(item, user)
    if not rounds and getattr(detail, "change_type", "") == "standard":
        return None  # pre-authorized by its template: nothing was ever asked
    return {
        "rounds": rounds,
        "mine": summary.decidable(rounds),
        "next": change_page(item.number),
    }


def _decision_target(request: HttpRequest, approval_id: int) -> Approval:
    approval = (
        approvals_visible_to(user_of(request))
        .select_related("work_item", "step__round", "approver")
        .filter(pk=approval_id)
        .first()
    )
    if approval is None:
        raise Http404()
    return approval


@login_required
@require_POST
def decide(request: HttpRequest, approval_id: int) -> HttpResponse:
    """Approve or reject one approval (the approver or their delegate); back to `next`."""
    user = user_of(request)
    approval = _decision_target(request, approval_id)
    target = safe_next(request, change_page(approval.work_item.number))
    form = DecisionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
        return redirect(target)
    try:
        engine.decide(
            actor=user,
            approval=approval,
            approve=form.approve,
            comment=form.cleaned_data["comment"],
        )
    except ValidationFailed as exc:
        for message in exc.as_dict().values():
            messages.error(request, message)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        item = WorkItem.objects.get(pk=approval.work_item_id)
        text = (
            _("You approved %(number)s (%(step)s).")
            if form.approve
            else _("You rejected %(number)s (%(step)s).")
        )
        messages.success(request, text % {"number": item.number, "step": approval.step.label})
    return redirect(target)


@login_required
@require_GET
def change(request: HttpRequest, number: str) -> HttpResponse:
    """A change as its approvers read it: plans, window, risk, impacted services, approvals."""
    from serval.changes.models import ChangeDetail
    from serval.cmdb import worklinks

    user = user_of(request)
    item = or_404(access_change, user, number)
    item = WorkItem.objects.select_related("caller", "assignment_group", "assignee").get(pk=item.pk)
    detail = ChangeDetail.objects.get(work_item=item)
    from serval.changes.states import machine_for

    here = request.get_full_path()
    card = panel(item, detail, user) or {"rounds": [], "mine": []}
    card["next"] = here  # decide, then come back to this page
    context = {
        "item": item,
        "detail": detail,
        "state": machine_for(detail.change_type).states.get(item.state),
        "impacted": worklinks.impacted_refs(item, user),
        "panel": card,
        "here": here,
        # The agents' change page, once the change pages exist (this view stands in before).
        "change_url": (
            change_page(item.number)
            if user.is_agent and change_page(item.number) != request.path
            else None
        ),
    }
    return render(request, "approvals/change.html", context)


# --- My approvals -----------------------------------------------------------------------------


def _waiting(user: Any) -> Any:
    return approvals_visible_to(user).filter(engine.awaiting(user))


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """What waits for my decision (as approver or delegate), newest first; or what I decided."""
    user = user_of(request)
    show = "decided" if request.GET.get("show") == "decided" else "waiting"
    if show == "waiting":
        qs = _waiting(user).order_by("-requested_at", "-pk")
    else:
        qs = (
            approvals_visible_to(user)
            .filter(decided_by=user)
            .exclude(state__in=(ApprovalState.CANCELLED, ApprovalState.NOT_REQUIRED))
            .order_by("-decided_at", "-pk")
        )
    qs = qs.select_related(
        "work_item__change", "work_item__caller", "step__round", "approver", "decided_by"
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "show": show,
        "here": request.get_full_path(),
        "waiting_count": page.paginator.count if show == "waiting" else None,
    }
    return render(request, "approvals/mine.html", context)


@require_GET
def count(request: HttpRequest) -> HttpResponse:
    """The number in the navigation (loaded by htmx after the page, so pages stay cheap).

    Not behind the login redirect: a page shown to someone signed out (a 404) would otherwise
    swap the sign-in page into its navigation; they get nothing instead.
    """
    user = user_of(request)
    n = _waiting(user).count() if user.is_authenticated else 0
    return render(request, "approvals/_count.html", {"n": n})
