"""Actions on assets and contracts: every write to them goes through one of these.

Agents of a record's tenant maintain assets and contracts (as they maintain CIs). Each action
checks, validates, writes and journals in one transaction — subjects "asset" and "contract" — and
linking or unlinking an asset's CI is journaled on the CI too, so the CI's history shows it.
Linked records must belong to the same tenant (a CI, covered assets) or be within its reach (the
assignee): no cross-tenant reference is ever written (DESIGN.md rule 8).
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from serval.assets.models import Asset, AssetKind, Contract, ContractType
from serval.cmdb.models import CI, LIFECYCLE_STATUSES, LifecycleStage
from serval.core import cleaning, journal
from serval.core.errors import (
    NotFound,
    PermissionDenied,
    ValidationFailed,
    check_version,
)
from serval.core.models import Tenant
from serval.core.tenancy import reach
from serval.core.text import optional_text, required_text
from serval.people.models import User

ASSET_TEXT = {
    "asset_tag": 100,
    "serial": 100,
    "model": 200,
    "manufacturer": 200,
    "location": 200,
    "cost_centre": 100,
    "purchase_order": 100,
    "vendor": 200,
}
UNIQUE = {"asset_tag": "asset tag", "serial": "serial number"}


# --- shared -----------------------------------------------------------------------------------


def can_manage(actor: User, tenant_id: int) -> bool:
    """Agents of the tenant keep its assets, installations, licences and contracts."""
    return actor.is_agent and tenant_id in reach(actor)


def require_agent(actor: User, tenant_id: int) -> None:
    if not can_manage(actor, tenant_id):
        raise PermissionDenied(_("Only agents of its tenant can change asset records."))


def target_tenant(actor: User, tenant: Tenant | None) -> Tenant:
    tenant = tenant or actor.tenant
    if tenant.pk not in reach(actor):
        raise NotFound(_("Unknown tenant."))
    return tenant


def record(*, tenant: int, subject: str, pk: int, verb: str, actor: Any, data: Any) -> None:
    journal.append(
        tenant=tenant, subject_type=subject, subject_id=pk, verb=verb, actor=actor, data=data
    )


def apply_changes(obj: Any, values: dict[str, Any], *, m2m: tuple[str, ...] = ()) -> dict[str, Any]:
    """Set changed fields on `obj` and return {field: [before, after]} for the journal."""
    changes: dict[str, Any] = {}
    for name, value in values.items():
        if name in m2m:
            before = sorted(getattr(obj, name).values_list("pk", flat=True))
            if before != sorted(v.pk for v in value):
                changes[name] = [before, cleaning.jsonable(value)]
                getattr(obj, name).set(value)
            continue
        before = getattr(obj, name)
        if before != value:
            changes[name] = [cleaning.jsonable(before), cleaning.jsonable(value)]
            setattr(obj, name, value)
    return changes


def collect(raw: dict[str, Any], clean_one: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """Run `clean_one(name, value)` over every field, gathering all errors at once."""
    out: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, value in raw.items():
        try:
            out[name] = clean_one(name, value)
        except ValidationFailed as exc:
            errors.update(exc.as_dict())
    return out, errors


# --- assets -----------------------------------------------------------------------------------


def _clean_asset_field(name: str, value: Any, tenant: Tenant) -> Any:
    if name == "name":
        return required_text(value, field=name, limit=200)
    if name in ASSET_TEXT:
        return optional_text(value, field=name, limit=ASSET_TEXT[name])
    if name == "kind":
        return cleaning.choice(value, AssetKind, name)
    if name == "lifecycle_stage":
        return cleaning.choice(value, LifecycleStage, name)
    if name == "lifecycle_status":
        return required_text(value, field=name, limit=32)
    if name == "cost":
        return cleaning.money(value, name)
    if name in ("purchase_date", "warranty_end", "lease_end"):
        return cleaning.day(value, name)
    if name == "assigned_to":
        if value is not None and (not isinstance(value, User) or tenant.pk not in reach(value)):
            raise ValidationFailed({name: _("Unknown user.")})
        return value
    if name == "ci":
        if value is not None and (not isinstance(value, CI) or value.tenant_id != tenant.pk):
            raise ValidationFailed({name: _("Unknown configuration item.")})
        return value
    raise ValidationFailed({name: _("Unknown field.")})


def _clean_asset(raw: dict[str, Any], *, tenant: Tenant, asset: Asset | None) -> dict[str, Any]:
    """Each field, then the rules across fields: lifecycle stage and status, date order."""
    out, errors = collect(raw, lambda n, v: _clean_asset_field(n, v, tenant))
    if "lifecycle_stage" in out or "lifecycle_status" in out:
        stage = out.get("lifecycle_stage", asset.lifecycle_stage if asset else "inventory")
        allowed = LIFECYCLE_STATUSES.get(stage, ())
        if "lifecycle_status" not in out:
            out["lifecycle_status"] = allowed[0] if allowed else ""
        if out["lifecycle_status"] not in allowed and "lifecycle_stage" not in errors:
            errors["lifecycle_status"] = _("In stage %(stage)s: one of %(allowed)s.") % {
                "stage": stage,
                "allowed": ", ".join(allowed),
            }
    for later in ("warranty_end", "lease_end"):
        if later not in errors and "purchase_date" not in errors:
            errors.update(cleaning.not_before(out, asset, later, "purchase_date"))
    if errors:
        raise ValidationFailed(errors)
    return out


def _conflicts(values: dict[str, Any], *, tenant_id: int, exclude: int | None) -> dict[str, str]:
    """Tag and serial are unique per tenant; a CI has at most one asset (1:1)."""
    errors: dict[str, str] = {}
    others = Asset.objects.filter(tenant_id=tenant_id)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    for field, label in UNIQUE.items():
        if values.get(field):
            found = others.filter(**{field: values[field]}).values_list("pk", "name").first()
            if found:
                errors[field] = _("%(name)s (asset %(id)s) already has this %(label)s.") % {
                    "name": found[1],
                    "id": found[0],
                    "label": _(label),
                }
    ci = values.get("ci")
    if ci is not None:
        found = others.filter(ci=ci).values_list("pk", "name").first()
        if found:
            errors["ci"] = _("This CI is already the CI of %(name)s (asset %(id)s).") % {
                "name": found[1],
                "id": found[0],
            }
    return errors


def _save_asset(asset: Asset, values: dict[str, Any]) -> None:
    """Save in a savepoint; a concurrent duplicate caught by the constraints is a field error."""
    try:
        with transaction.atomic():
            asset.save()
    except IntegrityError as exc:
        errors = _conflicts(values, tenant_id=asset.tenant_id, exclude=asset.pk)
        raise ValidationFailed(errors or {"name": _("This asset conflicts with another.")}) from exc


def _journal_ci_link(asset: Asset, ci_id: int, verb: str, actor: User) -> None:
    CI.objects.select_for_update().filter(pk=ci_id).first()
    record(
        tenant=asset.tenant_id,
        subject="ci",
        pk=ci_id,
        verb=verb,
        actor=actor,
        data={"asset": asset.pk, "name": asset.name},
    )


def create_asset(*, actor: User, tenant: Tenant | None = None, **raw: Any) -> Asset:
    """Record an asset (agents); tag and serial unique per tenant, its CI at most one asset's."""
    tenant = target_tenant(actor, tenant)
    require_agent(actor, tenant.pk)
    raw.setdefault("name", "")
    values = _clean_asset(raw, tenant=tenant, asset=None)
    with transaction.atomic():
        errors = _conflicts(values, tenant_id=tenant.pk, exclude=None)
        if errors:
            raise ValidationFailed(errors)
        asset = Asset(tenant=tenant, **values)
        _save_asset(asset, values)
        record(
            tenant=tenant.pk,
            subject="asset",
            pk=asset.pk,
            verb="created",
            actor=actor,
            data={k: cleaning.jsonable(v) for k, v in values.items()},
        )
        if asset.ci_id:
            _journal_ci_link(asset, asset.ci_id, "asset_linked", actor)
    return asset


def update_asset(
    *, actor: User, asset: Asset, expected_version: int | None = None, **raw: Any
) -> Asset:
    """Change an asset; a stale `expected_version` is refused rather than overwritten."""
    require_agent(actor, asset.tenant_id)
    with transaction.atomic():
        asset = Asset.objects.select_for_update().select_related("tenant").get(pk=asset.pk)
        check_version(expected_version, asset.version)
        values = _clean_asset(raw, tenant=asset.tenant, asset=asset)
        errors = _conflicts(values, tenant_id=asset.tenant_id, exclude=asset.pk)
        if errors:
            raise ValidationFailed(errors)
        old_ci = asset.ci_id
        changes = apply_changes(asset, values)
        if changes:
            asset.version += 1
            _save_asset(asset, values)
            record(
                tenant=asset.tenant_id,
                subject="asset",
                pk=asset.pk,
                verb="updated",
                actor=actor,
                data={"changes": changes},
            )
            if "ci" in changes:
                if old_ci:
                    _journal_ci_link(asset, old_ci, "asset_unlinked", actor)
                if asset.ci_id:
                    _journal_ci_link(asset, asset.ci_id, "asset_linked", actor)
    return asset


def delete_asset(*, actor: User, asset: Asset) -> None:
    """Remove an asset (its contract coverage goes with it), journaling it and its CI."""
    require_agent(actor, asset.tenant_id)
    with transaction.atomic():
        asset = Asset.objects.select_for_update().get(pk=asset.pk)
        record(
            tenant=asset.tenant_id,
            subject="asset",
            pk=asset.pk,
            verb="deleted",
            actor=actor,
            data={"name": asset.name},
        )
        if asset.ci_id:
            _journal_ci_link(asset, asset.ci_id, "asset_unlinked", actor)
        asset.delete()


# --- contracts --------------------------------------------------------------------------------


def _clean_contract_field(name: str, value: Any, tenant: Tenant) -> Any:
    if name == "name":
        return required_text(value, field=name, limit=200)
    if name == "vendor":
        return required_text(value, field=name, limit=200)
    if name == "description":
        return optional_text(value, field=name, limit=20000)
    if name == "type":
        return cleaning.choice(value, ContractType, name)
    if name in ("start_date", "end_date"):
        return cleaning.day(value, name)
    if name == "renewal_notice_days":
        return cleaning.whole(value, name, maximum=3650)
    if name == "cost":
        return cleaning.money(value, name)
    if name == "covered_assets":
        assets = list(value or [])
        if any(not isinstance(a, Asset) or a.tenant_id != tenant.pk for a in assets):
            raise ValidationFailed({name: _("Unknown asset.")})
        return assets
    raise ValidationFailed({name: _("Unknown field.")})


def _clean_contract(
    raw: dict[str, Any], *, tenant: Tenant, contract: Contract | None
) -> dict[str, Any]:
    out, errors = collect(raw, lambda n, v: _clean_contract_field(n, v, tenant))
    if "end_date" not in errors and "start_date" not in errors:
        errors.update(cleaning.not_before(out, contract, "end_date", "start_date"))
    if errors:
        raise ValidationFailed(errors)
    return out


def create_contract(*, actor: User, tenant: Tenant | None = None, **raw: Any) -> Contract:
    """Record a vendor contract and the assets (of its tenant) it covers."""
    tenant = target_tenant(actor, tenant)
    require_agent(actor, tenant.pk)
    raw.setdefault("name", "")
    raw.setdefault("vendor", "")
    values = _clean_contract(raw, tenant=tenant, contract=None)
    covered = values.pop("covered_assets", [])
    with transaction.atomic():
        contract = Contract.objects.create(tenant=tenant, **values)
        contract.covered_assets.set(covered)
        record(
            tenant=tenant.pk,
            subject="contract",
            pk=contract.pk,
            verb="created",
            actor=actor,
            data={
                **{k: cleaning.jsonable(v) for k, v in values.items()},
                "covered_assets": cleaning.jsonable(covered),
            },
        )
    return contract


def update_contract(
    *, actor: User, contract: Contract, expected_version: int | None = None, **raw: Any
) -> Contract:
    require_agent(actor, contract.tenant_id)
    with transaction.atomic():
        contract = Contract.objects.select_for_update().select_related("tenant").get(pk=contract.pk)
        check_version(expected_version, contract.version)
        values = _clean_contract(raw, tenant=contract.tenant, contract=contract)
        changes = apply_changes(contract, values, m2m=("covered_assets",))
        if changes:
            contract.version += 1
            contract.save()
            record(
                tenant=contract.tenant_id,
                subject="contract",
                pk=contract.pk,
                verb="updated",
                actor=actor,
                data={"changes": changes},
            )
    return contract


def delete_contract(*, actor: User, contract: Contract) -> None:
    require_agent(actor, contract.tenant_id)
    with transaction.atomic():
        contract = Contract.objects.select_for_update().get(pk=contract.pk)
        record(
            tenant=contract.tenant_id,
            subject="contract",
            pk=contract.pk,
            verb="deleted",
            actor=actor,
            data={"name": contract.name},
        )
        contract.delete()
