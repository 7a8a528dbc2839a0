"""Approval policies over the API: change managers read, administrators write (`policies`)."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from serval.api.auth import actor
from serval.api.concurrency import etag, expected_version
from serval.api.paging import page
from serval.api.schemas import Id, In, TeamRef, UserKey, UserRef, problems
from serval.api.workitems import user_ref
from serval.approvals import policies
from serval.approvals.api.common import PageParams, Ref, ref
from serval.approvals.models import ApprovalPolicy, ApproverKind, Mode, PolicyStep
from serval.core.errors import NotFound, PermissionDenied, ValidationFailed
from serval.core.models import Tenant
from serval.core.tenancy import reach

router = Router(tags=["approval policies"])

KindName = Literal[tuple(ApproverKind.values)]  # type: ignore[valid-type]
ModeName = Literal[tuple(Mode.values)]  # type: ignore[valid-type]


class PolicyStepOut(Schema):
    id: int
    stage: str
    order: int
    label: str
    approver_kind: str
    users: list[UserRef]
    team: TeamRef | None
    board: Ref | None
    mode: str
    quorum: int


class ApprovalPolicyOut(Schema):
    id: int
    name: str
    kind: str
    tenant: str
    change_types: list[str] = Field(..., description="Empty: any type that asks for approval.")
    risks: list[str] = Field(..., description="Empty: any risk.")
    order: int
    active: bool
    version: int
    editable: bool
    steps: list[PolicyStepOut]


class PolicyPage(Schema):
    items: list[ApprovalPolicyOut]
    next: str | None


class StepIn(In):
    stage: str = Field(..., max_length=24, description="For changes: assess or authorize.")
    order: int = Field(1, ge=1, le=99)
    label: str = Field("", max_length=200)
    approver_kind: KindName  # type: ignore[valid-type]
    users: list[UserKey] = Field(default_factory=list, max_length=50)
    team: Id | None = None
    board: Id | None = None
    mode: ModeName | None = None  # type: ignore[valid-type]
    quorum: int = Field(1, ge=1, le=100)


class StepPatch(In):
    stage: str | None = Field(None, max_length=24)
    order: int | None = Field(None, ge=1, le=99)
    label: str | None = Field(None, max_length=200)
    approver_kind: KindName | None = None  # type: ignore[valid-type]
    users: list[UserKey] | None = Field(None, max_length=50)
    team: Id | None = None
    board: Id | None = None
    mode: ModeName | None = None  # type: ignore[valid-type]
    quorum: int | None = Field(None, ge=1, le=100)


class ApprovalPolicyIn(In):
    name: str = Field(..., min_length=1, max_length=200)
    kind: str = Field("change", max_length=16)
    change_types: list[str] = Field(default_factory=list, max_length=10)
    risks: list[str] = Field(default_factory=list, max_length=10)
    order: int = Field(0, ge=0, le=999)
    active: bool = True
    steps: list[StepIn] = Field(default_factory=list, max_length=20)
    tenant: str | None = Field(None, max_length=64, description="Tenant slug; default: yours.")


class PolicyPatch(In):
    name: str | None = Field(None, min_length=1, max_length=200)
    change_types: list[str] | None = Field(None, max_length=10)
    risks: list[str] | None = Field(None, max_length=10)
    order: int | None = Field(None, ge=0, le=999)
    active: bool | None = None


def step_out(step: PolicyStep) -> dict[str, Any]:
    return {
        "id": step.pk,
        "stage": step.stage,
        "order": step.order,
        "label": step.label,
        "approver_kind": step.approver_kind,
        "users": [user_ref(u) for u in step.users.all()],
        "team": ref(step.team),
        "board": ref(step.board),
        "mode": step.mode,
        "quorum": step.quorum,
    }


def policy_out(policy: ApprovalPolicy, user: Any) -> dict[str, Any]:
    return {
        "id": policy.pk,
        "name": policy.name,
        "kind": policy.kind,
        "tenant": policy.tenant.slug,
        "change_types": policy.change_types,
        "risks": policy.risks,
        "order": policy.order,
        "active": policy.active,
        "version": policy.version,
        "editable": policies.can_write(user, policy),
        "steps": [step_out(s) for s in policy.steps.all()],
    }


def _reader(request: HttpRequest) -> Any:
    user = actor(request)
    if not policies.can_read(user):
        raise PermissionDenied(_("Only change managers and administrators see the policies."))
    return user


def _policy(request: HttpRequest, id: int) -> ApprovalPolicy:
    return policies.access_policy(_reader(request), id)


def _step_values(payload: Any) -> dict[str, Any]:
    return payload.model_dump(exclude_unset=True)


@router.get("/policies", response={200: PolicyPage, **problems(403)})
def list_policies(request: HttpRequest, params: Query[PageParams]) -> dict[str, Any]:
    """The policies that apply in the caller's tenants (their own and inherited ones)."""
    user = _reader(request)
    qs = policies.with_steps(policies.policies_visible_to(user))
    rows, next_link = page(request, qs, ordering="order", limit=params.limit, cursor=params.cursor)
    return {"items": [policy_out(p, user) for p in rows], "next": next_link}


@router.post("/policies", response={201: ApprovalPolicyOut, **problems(403)})
def create_policy(
    request: HttpRequest, payload: ApprovalPolicyIn, response: HttpResponse
) -> Status[Any]:
    """A policy with its steps (administrators), in one transaction: all or nothing."""
    user = _reader(request)
    tenant = user.tenant
    if payload.tenant is not None:
        tenant = Tenant.objects.filter(pk__in=reach(user), slug=payload.tenant).first()
        if tenant is None:
            raise ValidationFailed({"tenant": _("Unknown tenant.")})
    policy = policies.create_policy(
        actor=user,
        tenant=tenant,
        name=payload.name,
        kind=payload.kind,
        change_types=payload.change_types,
        risks=payload.risks,
        order=payload.order,
        active=payload.active,
        steps=[s.model_dump() for s in payload.steps],
    )
    fresh = policies.access_policy(user, policy.pk)
    response["ETag"] = etag(fresh.pk, fresh.version)
    return Status(201, policy_out(fresh, user))


@router.get("/policies/{id}", response={200: ApprovalPolicyOut, **problems(403, 404)})
def get_policy(request: HttpRequest, id: Id, response: HttpResponse) -> dict[str, Any]:
    policy = _policy(request, id)
    response["ETag"] = etag(policy.pk, policy.version)
    return policy_out(policy, actor(request))


@router.patch("/policies/{id}", response={200: ApprovalPolicyOut, **problems(403, 404, 412)})
def update_policy(
    request: HttpRequest, id: Id, payload: PolicyPatch, response: HttpResponse
) -> dict[str, Any]:
    """Change a policy (administrators of its tenant); honours If-Match."""
    user = actor(request)
    policy = _policy(request, id)
    version = expected_version(request, pk=policy.pk, current=policy.version)
    policies.update_policy(
        actor=user,
        policy=policy,
        expected_version=version,
        **payload.model_dump(exclude_unset=True),
    )
    fresh = policies.access_policy(user, policy.pk)
    response["ETag"] = etag(fresh.pk, fresh.version)
    return policy_out(fresh, user)


@router.delete("/policies/{id}", response={204: None, **problems(403, 404)})
def delete_policy(request: HttpRequest, id: Id) -> Status[None]:
    policies.delete_policy(actor=actor(request), policy=_policy(request, id))
    return Status(204, None)


@router.post("/policies/{id}/steps", response={201: PolicyStepOut, **problems(403, 404)})
def add_step(request: HttpRequest, id: Id, payload: StepIn) -> Status[Any]:
    user = actor(request)
    step = policies.add_step(actor=user, policy=_policy(request, id), **_step_values(payload))
    return Status(201, step_out(PolicyStep.objects.select_related("team", "board").get(pk=step.pk)))


def _step(request: HttpRequest, id: int, step_id: int) -> PolicyStep:
    policy = _policy(request, id)
    step = next((s for s in policy.steps.all() if s.pk == step_id), None)
    if step is None:
        raise NotFound(_("No such step."))
    step.policy = policy
    return step


@router.patch("/policies/{id}/steps/{step_id}", response={200: PolicyStepOut, **problems(403, 404)})
def update_step(request: HttpRequest, id: Id, step_id: Id, payload: StepPatch) -> dict[str, Any]:
    user = actor(request)
    step = policies.update_step(
        actor=user, step=_step(request, id, step_id), **payload.model_dump(exclude_unset=True)
    )
    return step_out(PolicyStep.objects.select_related("team", "board").get(pk=step.pk))


@router.delete("/policies/{id}/steps/{step_id}", response={204: None, **problems(403, 404)})
def delete_step(request: HttpRequest, id: Id, step_id: Id) -> Status[None]:
    policies.delete_step(actor=actor(request), step=_step(request, id, step_id))
    return Status(204, None)
