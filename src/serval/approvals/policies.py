"""Approval policies and their steps: who approves what (DOMAIN.md §2.3 change authority).

Administrators write them, change managers (role manager) read them. A policy belongs to a
tenant and applies to its items and to those of every tenant below it (`engine.policies_for`),
so the root tenant's seeded policies are everybody's default. Every write is journaled on the
policy (subject "approval_policy"); a step's writes bump the policy's version.

Validation, per the kind registered with the engine (`engine.register`): a step's stage must be
one of the kind's approval stages (for changes `assess` and `authorize`); an approver kind
carries exactly what it needs — named people, a team or a board, each within the policy's
tenant — and nothing else; a quorum is at least 1 (and no more than the people named); the
owners of impacted services always decide together (mode "all").
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from serval.approvals import engine
from serval.approvals.models import ApprovalPolicy, ApproverKind, Board, Mode, PolicyStep
from serval.core import journal
from serval.core.errors import NotFound, PermissionDenied, ValidationFailed, check_version
from serval.core.models import Tenant
from serval.core.tenancy import reach, reference_visible_in, shared_reach
from serval.core.text import optional_text, required_text
from serval.people.models import Team, User

SUBJECT = "approval_policy"
POLICY_FIELDS = {"name", "kind", "change_types", "risks", "order", "active"}
STEP_FIELDS = {
    "stage",
    "order",
    "label",
    "approver_kind",
    "users",
    "team",
    "board",
    "mode",
    "quorum",
}
MAX_STEPS = 20
MAX_USERS = 50
CHANGE_MANAGERS = ("manager", "admin")


# --- who may -------------------------------------------------------------------------------


def can_read(user: User) -> bool:
    """Change managers and administrators read the policies."""
    return bool(getattr(user, "is_authenticated", False)) and user.role in CHANGE_MANAGERS


def can_write(user: User, policy: ApprovalPolicy | None = None) -> bool:
    """Administrators of the policy's tenant (policies inherited from above are read-only)."""
    if not getattr(user, "is_authenticated", False) or not user.is_admin:
        return False
    return policy is None or policy.tenant_id in reach(user)


def policies_visible_to(user: User) -> QuerySet[ApprovalPolicy]:
    """Policies of the user's tenants and of their ancestors (which apply there too)."""
    if not can_read(user):
        return ApprovalPolicy.objects.none()
    return ApprovalPolicy.objects.filter(tenant_id__in=shared_reach(user))


def with_steps(qs: QuerySet[ApprovalPolicy]) -> QuerySet[ApprovalPolicy]:
    """The policies with their steps and the steps' references, in three more queries."""
    steps = PolicyStep.objects.select_related("team", "board").prefetch_related(
        Prefetch("users", queryset=User.objects.only("pk", "username", "first_name", "last_name"))
    )
    return qs.select_related("tenant").prefetch_related(
        Prefetch("steps", queryset=steps.order_by("stage", "order", "pk"))
    )


def access_policy(user: User, pk: int) -> ApprovalPolicy:
    policy = with_steps(policies_visible_to(user)).filter(pk=pk).first()
    if policy is None:
        raise NotFound(_("No such policy."))
    return policy


def _require_writer(actor: User, policy: ApprovalPolicy | None = None) -> None:
    if not can_write(actor, policy):
        raise PermissionDenied(_("Only administrators of its tenant can change this policy."))


# --- cleaning -------------------------------------------------------------------------------


def _choice_list(value: Any, *, field: str, allowed: tuple[str, ...]) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise ValidationFailed({field: _("A list of values.")})
    wrong = [v for v in value if v not in allowed]
    if wrong:
        raise ValidationFailed({field: _("One or more of %s.") % ", ".join(allowed)})
    return [v for v in allowed if v in value]  # canonical order, no duplicates


def _small_int(value: Any, *, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, str) and value.strip().isdigit() and value.strip().isascii():
            value = int(value.strip())
        else:
            raise ValidationFailed({field: _("A whole number.")})
    if not low <= value <= high:
        raise ValidationFailed(
            {field: _("Between %(low)s and %(high)s.") % {"low": low, "high": high}}
        )
    return value


def _clean_policy(raw: dict[str, Any], *, kind: str) -> dict[str, Any]:
    hooks = engine.kinds().get(kind)
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    for name, value in raw.items():
        try:
            if name == "name":
                out[name] = required_text(value, field=name, limit=200)
            elif name in ("change_types", "risks"):
                allowed = hooks.filters.get(name, ()) if hooks else ()
                out[name] = _choice_list(value, field=name, allowed=allowed)
            elif name == "order":
                out[name] = _small_int(value, field=name, low=0, high=999)
            elif name == "active":
                if not isinstance(value, bool):
                    raise ValidationFailed({name: _("True or false.")})
                out[name] = value
        except ValidationFailed as exc:
            errors.update(exc.as_dict())
    if errors:
        raise ValidationFailed(errors)
    return out


def _user(value: Any, *, tenant: Tenant) -> User | None:
    if isinstance(value, User):
        user: User | None = value
    elif isinstance(value, int) and not isinstance(value, bool):
        user = User.objects.filter(pk=value).first()
    elif isinstance(value, str) and value.strip():
        key = value.strip()
        found = User.objects.filter(username=key).first()
        if found is None and key.isascii() and key.isdigit():
            found = User.objects.filter(pk=int(key)).first()
        user = found
    else:
        user = None
    if user is None or not user.is_active or tenant.pk not in reach(user):
        return None
    return user


def _team(value: Any, *, tenant: Tenant) -> Team | None:
    team = value if isinstance(value, Team) else None
    if team is None and isinstance(value, int) and not isinstance(value, bool):
        team = Team.objects.select_related("tenant").filter(pk=value).first()
    if team is None or not reference_visible_in(
        owner_tenant=team.tenant, shared=team.shared, target=tenant
    ):
        return None
    return team


def _board(value: Any, *, tenant: Tenant) -> Board | None:
    board = value if isinstance(value, Board) else None
    if board is None and isinstance(value, int) and not isinstance(value, bool):
        board = Board.objects.filter(pk=value).first()
    if board is None or board.tenant_id not in (tenant.pk, *tenant.ancestor_ids()):
        return None
    return board


def _clean_step(
    raw: dict[str, Any], *, policy: ApprovalPolicy, current: PolicyStep | None = None
) -> dict[str, Any]:
    """The step's values after `raw` is applied to `current` (or to a new step), checked."""
    unknown = sorted(set(raw) - STEP_FIELDS)
    if unknown:
        raise ValidationFailed({f: _("Unknown field.") for f in unknown})
    hooks = engine.kinds().get(policy.kind)
    stages = hooks.stages if hooks else ()
    tenant = policy.tenant
    values: dict[str, Any] = {
        "stage": current.stage if current else None,
        "order": current.order if current else 1,
        "label": current.label if current else "",
        "approver_kind": current.approver_kind if current else None,
        "users": list(current.users.all()) if current else [],
        "team": current.team if current else None,
        "board": current.board if current else None,
        "mode": current.mode if current else None,
        "quorum": current.quorum if current else 1,
    }
    errors: dict[str, str] = {}
    if "stage" in raw or current is None:
        if raw.get("stage") not in stages:
            errors["stage"] = _("One of %s.") % ", ".join(stages)
        else:
            values["stage"] = raw["stage"]
    if raw.get("order") is not None:
        try:
            values["order"] = _small_int(raw["order"], field="order", low=1, high=99)
        except ValidationFailed as exc:
            errors.update(exc.as_dict())
    if "approver_kind" in raw or current is None:
        if raw.get("approver_kind") not in ApproverKind.values:
            errors["approver_kind"] = _("One of %s.") % ", ".join(ApproverKind.values)
        else:
            values["approver_kind"] = raw["approver_kind"]
    if "users" in raw:
        people = raw["users"] or []
        if isinstance(people, str) or not isinstance(people, list | tuple):
            errors["users"] = _("A list of people.")
        elif len(people) > MAX_USERS:
            errors["users"] = _("At most %d people.") % MAX_USERS
        else:
            resolved = [_user(p, tenant=tenant) for p in people]
            if any(u is None for u in resolved):
                errors["users"] = _("Unknown user.")
            else:
                values["users"] = list({u.pk: u for u in resolved if u is not None}.values())
    if "team" in raw:
        values["team"] = None if raw["team"] in (None, "") else _team(raw["team"], tenant=tenant)
        if raw["team"] not in (None, "") and values["team"] is None:
            errors["team"] = _("Unknown team.")
    if "board" in raw:
        values["board"] = (
            None if raw["board"] in (None, "") else _board(raw["board"], tenant=tenant)
        )
        if raw["board"] not in (None, "") and values["board"] is None:
            errors["board"] = _("Unknown board.")
    if raw.get("mode") is not None:
        if raw["mode"] not in Mode.values:
            errors["mode"] = _("One of %s.") % ", ".join(Mode.values)
        else:
            values["mode"] = raw["mode"]
    if raw.get("quorum") is not None:
        try:
            values["quorum"] = _small_int(raw["quorum"], field="quorum", low=1, high=100)
        except ValidationFailed as exc:
            errors.update(exc.as_dict())
    if "label" in raw:
        try:
            values["label"] = optional_text(raw["label"], field="label", limit=200)
        except ValidationFailed as exc:
            errors.update(exc.as_dict())
    if errors:
        raise ValidationFailed(errors)
    kind = values["approver_kind"]
    if values["mode"] is None:
        values["mode"] = Mode.ALL if kind == ApproverKind.SERVICE_OWNERS else Mode.ANY
    # What each approver kind needs, and only that.
    needs = {
        ApproverKind.USERS: "users",
        ApproverKind.TEAM: "team",
        ApproverKind.BOARD: "board",
    }.get(kind)
    for name in ("users", "team", "board"):
        present = bool(values[name])
        if name == needs and not present:
            errors[name] = {
                "users": _("Name at least one person."),
                "team": _("Choose the team."),
                "board": _("Choose the board."),
            }[name]
        elif name != needs and present:
            if name in raw:
                errors[name] = _("Not used by this kind of approver.")
            else:
                values[name] = [] if name == "users" else None  # left over from another kind
    if kind == ApproverKind.SERVICE_OWNERS and values["mode"] != Mode.ALL:
        errors["mode"] = _("The owners of impacted services each approve: the mode is “all”.")
    if values["mode"] == Mode.QUORUM:
        if (
            kind == ApproverKind.USERS
            and values["users"]
            and values["quorum"] > len(values["users"])
        ):
            errors["quorum"] = _("At most the number of people named (%d).") % len(values["users"])
    else:
        values["quorum"] = 1
    if errors:
        raise ValidationFailed(errors)
    if not values["label"]:
        values["label"] = _default_label(values)
    return values


def _default_label(values: dict[str, Any]) -> str:
    kind = values["approver_kind"]
    if kind == ApproverKind.TEAM:
        return str(values["team"].name)
    if kind == ApproverKind.BOARD:
        return str(values["board"].name)
    return str(ApproverKind(kind).label)


def _step_data(step: PolicyStep) -> dict[str, Any]:
    return {
        "stage": step.stage,
        "order": step.order,
        "label": step.label,
        "approver_kind": step.approver_kind,
        "users": sorted(u.username for u in step.users.all()),
        "team": step.team.name if step.team else None,
        "board": step.board.name if step.board else None,
        "mode": step.mode,
        "quorum": step.quorum,
    }


def _save_step(step: PolicyStep, values: dict[str, Any]) -> PolicyStep:
    for name in ("stage", "order", "label", "approver_kind", "team", "board", "mode", "quorum"):
        setattr(step, name, values[name])
    step.save()
    step.users.set(values["users"])
    return step


def _journal(policy: ApprovalPolicy, verb: str, actor: User | None, data: dict[str, Any]) -> None:
    journal.append(
        tenant=policy.tenant_id,
        subject_type=SUBJECT,
        subject_id=policy.pk,
        verb=verb,
        actor=actor,
        data=data,
    )


def _bump(policy: ApprovalPolicy) -> None:
    policy.version += 1
    policy.save(update_fields=["version"])


# --- actions --------------------------------------------------------------------------------


def create_policy(
    *,
    actor: User | None,
    name: Any,
    tenant: Tenant | None = None,
    kind: str = "change",
    change_types: Any = None,
    risks: Any = None,
    order: Any = 0,
    active: Any = True,
    steps: list[dict[str, Any]] | None = None,
) -> ApprovalPolicy:
    """A new policy (administrators; `actor=None` is a data migration or the operator)."""
    if actor is not None:
        _require_writer(actor)
    if tenant is None:
        if actor is None:
            raise ValidationFailed({"tenant": _("Name the tenant.")})
        tenant = actor.tenant
    if actor is not None and tenant.pk not in reach(actor):
        raise NotFound(_("Unknown tenant."))
    if kind not in engine.kinds():
        raise ValidationFailed({"kind": _("One of %s.") % ", ".join(sorted(engine.kinds()))})
    values = _clean_policy(
        {
            "name": name,
            "change_types": change_types,
            "risks": risks,
            "order": order,
            "active": active,
        },
        kind=kind,
    )
    steps = list(steps or [])
    if len(steps) > MAX_STEPS:
        raise ValidationFailed({"steps": _("At most %d steps.") % MAX_STEPS})
    if ApprovalPolicy.objects.filter(tenant=tenant, name=values["name"]).exists():
        raise ValidationFailed({"name": _("A policy with this name exists.")})
    with transaction.atomic():
        policy = ApprovalPolicy.objects.create(tenant=tenant, kind=kind, **values)
        cleaned = []
        errors: dict[str, str] = {}
        for index, raw in enumerate(steps):
            try:
                cleaned.append(_clean_step(raw, policy=policy))
            except ValidationFailed as exc:
                errors.update({f"steps.{index}.{k}": v for k, v in exc.as_dict().items()})
        if errors:
            raise ValidationFailed(errors)  # rolls the policy back too: no partial write
        saved = [_save_step(PolicyStep(policy=policy), v) for v in cleaned]
        _journal(
            policy,
            "created",
            actor,
            {
                "name": policy.name,
                "kind": kind,
                "change_types": policy.change_types,
                "risks": policy.risks,
                "order": policy.order,
                "active": policy.active,
                "steps": [_step_data(s) for s in saved],
            },
        )
    return policy


def update_policy(
    *, actor: User, policy: ApprovalPolicy, expected_version: int | None = None, **raw: Any
) -> ApprovalPolicy:
    """Rename, re-scope, reorder or (de)activate a policy."""
    unknown = sorted(set(raw) - (POLICY_FIELDS - {"kind"}))
    if unknown:
        raise ValidationFailed({f: _("This field cannot be changed.") for f in unknown})
    _require_writer(actor, policy)
    with transaction.atomic():
        policy = ApprovalPolicy.objects.select_for_update().get(pk=policy.pk)
        check_version(expected_version, policy.version)
        values = _clean_policy(raw, kind=policy.kind)
        if "name" in values:
            taken = ApprovalPolicy.objects.filter(tenant_id=policy.tenant_id, name=values["name"])
            if taken.exclude(pk=policy.pk).exists():
                raise ValidationFailed({"name": _("A policy with this name exists.")})
        changes = {k: [getattr(policy, k), v] for k, v in values.items() if getattr(policy, k) != v}
        if not changes:
            return policy
        for name, value in values.items():
            setattr(policy, name, value)
        policy.version += 1
        policy.save()
        _journal(policy, "updated", actor, {"changes": changes})
    return policy


def delete_policy(*, actor: User, policy: ApprovalPolicy) -> None:
    """Remove a policy and its steps; rounds already started keep their own copies."""
    _require_writer(actor, policy)
    with transaction.atomic():
        policy = ApprovalPolicy.objects.select_for_update().get(pk=policy.pk)
        _journal(policy, "deleted", actor, {"name": policy.name})
        policy.delete()


def add_step(*, actor: User, policy: ApprovalPolicy, **raw: Any) -> PolicyStep:
    """Add one step to a policy."""
    _require_writer(actor, policy)
    with transaction.atomic():
        policy = (
            ApprovalPolicy.objects.select_for_update(of=("self",))
            .select_related("tenant")
            .get(pk=policy.pk)
        )
        if policy.steps.count() >= MAX_STEPS:
            raise ValidationFailed({"steps": _("At most %d steps.") % MAX_STEPS})
        values = _clean_step(raw, policy=policy)
        step = _save_step(PolicyStep(policy=policy), values)
        _bump(policy)
        _journal(policy, "step_added", actor, {"step": step.pk, **_step_data(step)})
    return step


def update_step(*, actor: User, step: PolicyStep, **raw: Any) -> PolicyStep:
    """Change one step of a policy."""
    _require_writer(actor, step.policy)
    with transaction.atomic():
        policy = (
            ApprovalPolicy.objects.select_for_update(of=("self",))
            .select_related("tenant")
            .get(pk=step.policy_id)
        )
        step = PolicyStep.objects.select_related("team", "board").get(pk=step.pk)
        before = _step_data(step)
        values = _clean_step(raw, policy=policy, current=step)
        _save_step(step, values)
        after = _step_data(step)
        changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
        if changes:
            _bump(policy)
            _journal(policy, "step_updated", actor, {"step": step.pk, "changes": changes})
    return step


def delete_step(*, actor: User, step: PolicyStep) -> None:
    """Remove one step of a policy."""
    _require_writer(actor, step.policy)
    with transaction.atomic():
        policy = ApprovalPolicy.objects.select_for_update().get(pk=step.policy_id)
        data = {"step": step.pk, **_step_data(step)}
        step.delete()
        _bump(policy)
        _journal(policy, "step_removed", actor, data)
