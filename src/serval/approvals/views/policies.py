"""Policy pages: change managers read them, administrators of a policy's tenant change them.
Everyone else gets a 404 (SECURITY-REFERENCE A1)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from serval.approvals import engine, policies
from serval.approvals.boards import boards_visible_to
from serval.approvals.forms import PolicyForm, StepForm, add_action_errors
from serval.approvals.models import ApprovalPolicy, PolicyStep
from serval.approvals.views.common import or_404, user_of
from serval.core.errors import PermissionDenied, StaleVersion, ValidationFailed
from serval.people.models import User
from serval.people.querysets import teams_visible_to

KIND = "change"


def _reader(request: HttpRequest) -> User:
    user = user_of(request)
    if not policies.can_read(user):
        raise Http404()
    return user


def _filters(kind: str) -> dict[str, Any]:
    hooks = engine.kinds().get(kind)
    return hooks.filters if hooks else {}


def _stages(kind: str) -> tuple[str, ...]:
    hooks = engine.kinds().get(kind)
    return hooks.stages if hooks else ()


def _step_form(user: User, data: Any = None, **kwargs: Any) -> StepForm:
    teams = [(t.pk, t.name) for t in teams_visible_to(user).order_by("name").only("pk", "name")]
    boards = [(b.pk, b.name) for b in boards_visible_to(user).order_by("name").only("pk", "name")]
    return StepForm(data, stages=_stages(KIND), teams=teams, boards=boards, **kwargs)


@login_required
def policy_list(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    rows = list(
        policies.with_steps(policies.policies_visible_to(user)).order_by("kind", "order", "pk")
    )
    return render(
        request,
        "approvals/policy_list.html",
        {"policies": rows, "can_write": policies.can_write(user), "section": "policies"},
    )


@login_required
def policy_create(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    if not policies.can_write(user):
        raise Http404()
    form = PolicyForm(request.POST or None, filters=_filters(KIND))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            policy = policies.create_policy(
                actor=user,
                name=data["name"],
                kind=KIND,
                change_types=data["change_types"],
                risks=data["risks"],
                order=data["order"],
                active=data["active"],
            )
        except ValidationFailed as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The policy was created; now add its steps."))
            return redirect("approvals-policy", pk=policy.pk)
    return render(
        request, "approvals/policy_form.html", {"form": form, "policy": None, "section": "policies"}
    )


def _detail(
    request: HttpRequest,
    policy: ApprovalPolicy,
    *,
    form: Any = None,
    step_form: Any = None,
    status: int = 200,
) -> HttpResponse:
    user = user_of(request)
    writable = policies.can_write(user, policy)
    if form is None and writable:
        form = PolicyForm(
            filters=_filters(policy.kind),
            initial={
                "name": policy.name,
                "change_types": policy.change_types,
                "risks": policy.risks,
                "order": policy.order,
                "active": policy.active,
                "version": policy.version,
            },
        )
    if step_form is None and writable:
        step_form = _step_form(user, auto_id="step-new-%s")
    context = {
        "policy": policy,
        "steps": list(policy.steps.all()),
        "form": form,
        "step_form": step_form,
        "writable": writable,
        "section": "policies",
    }
    return render(request, "approvals/policy_detail.html", context, status=status)


@login_required
def policy_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The policy and its steps; administrators edit both here."""
    user = _reader(request)
    policy = or_404(policies.access_policy, user, pk)
    if request.method != "POST":
        return _detail(request, policy)
    if not policies.can_write(user, policy):
        raise Http404()
    form = PolicyForm(request.POST, filters=_filters(policy.kind))
    if form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            policies.update_policy(actor=user, policy=policy, expected_version=version, **data)
        except StaleVersion:
            messages.error(
                request, _("Someone else changed this policy meanwhile; here is the current one.")
            )
            return redirect("approvals-policy", pk=policy.pk)
        except ValidationFailed as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The policy was saved."))
            return redirect("approvals-policy", pk=policy.pk)
    return _detail(request, policy, form=form, status=422)


@login_required
@require_POST
def policy_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = _reader(request)
    policy = or_404(policies.access_policy, user, pk)
    try:
        policies.delete_policy(actor=user, policy=policy)
    except PermissionDenied as exc:
        raise Http404() from exc
    messages.success(request, _("The policy “%(name)s” was deleted.") % {"name": policy.name})
    return redirect("approvals-policies")


@login_required
@require_POST
def step_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = _reader(request)
    policy = or_404(policies.access_policy, user, pk)
    if not policies.can_write(user, policy):
        raise Http404()
    form = _step_form(user, request.POST, auto_id="step-new-%s")
    if form.is_valid():
        try:
            policies.add_step(actor=user, policy=policy, **form.action_values())
        except ValidationFailed as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The step was added."))
            return redirect("approvals-policy", pk=policy.pk)
    return _detail(request, policy, step_form=form, status=422)


def _own_step(user: User, pk: int, step_id: int) -> tuple[ApprovalPolicy, PolicyStep]:
    policy = or_404(policies.access_policy, user, pk)
    step = next((s for s in policy.steps.all() if s.pk == step_id), None)
    if step is None or not policies.can_write(user, policy):
        raise Http404()
    return policy, step


@login_required
def step_edit(request: HttpRequest, pk: int, step_id: int) -> HttpResponse:
    user = _reader(request)
    policy, step = _own_step(user, pk, step_id)
    initial = {
        "stage": step.stage,
        "order": step.order,
        "label": step.label,
        "approver_kind": step.approver_kind,
        "users": ", ".join(u.username for u in step.users.all()),
        "team": step.team_id,
        "board": step.board_id,
        "mode": step.mode,
        "quorum": step.quorum,
    }
    form = _step_form(user, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            policies.update_step(actor=user, step=step, **form.action_values())
        except ValidationFailed as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The step was saved."))
            return redirect("approvals-policy", pk=policy.pk)
    return render(
        request,
        "approvals/step_form.html",
        {"form": form, "policy": policy, "step": step, "section": "policies"},
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def step_delete(request: HttpRequest, pk: int, step_id: int) -> HttpResponse:
    user = _reader(request)
    policy, step = _own_step(user, pk, step_id)
    policies.delete_step(actor=user, step=step)
    messages.success(request, _("The step “%(label)s” was removed.") % {"label": step.label})
    return redirect("approvals-policy", pk=policy.pk)
