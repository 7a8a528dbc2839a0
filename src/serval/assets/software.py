"""Actions on software: products and versions (the catalogue), installations and licences.

The catalogue is reference data, kept by administrators of its tenant like CI classes; a product
marked shared is usable by sub-tenants. Installations and licences are operational records kept
by agents: an installation links a CI to a version usable in the CI's tenant, a licence entitles
its tenant to a product usable there, and its assigned users must be within the tenant's reach.
Subjects journaled: "software_product", "software_version", "installation" (and the CI's own
history), "licence".
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from serval.assets.actions import (
    apply_changes,
    collect,
    record,
    require_agent,
    target_tenant,
)
from serval.assets.models import (
    DatesSource,
    Installation,
    Licence,
    LicenceMetric,
    SoftwareProduct,
    SoftwareVersion,
)
from serval.cmdb.models import CI
from serval.core import cleaning
from serval.core.errors import PermissionDenied, ValidationFailed, check_version
from serval.core.models import Tenant
from serval.core.tenancy import reach, reference_visible_in
from serval.core.text import optional_text, required_text
from serval.people.models import User

DATES = ("ga_date", "end_of_support", "end_of_extended_support", "end_of_life")


def can_manage_catalogue(actor: User, tenant_id: int) -> bool:
    return actor.is_admin and tenant_id in reach(actor)


def _require_admin(actor: User, tenant_id: int) -> None:
    if not can_manage_catalogue(actor, tenant_id):
        raise PermissionDenied(_("Only administrators can change the software catalogue."))


def _usable_in(product: SoftwareProduct, tenant: Tenant) -> bool:
    return reference_visible_in(owner_tenant=product.tenant, shared=product.shared, target=tenant)


# --- products ---------------------------------------------------------------------------------


def _clean_product(raw: dict[str, Any]) -> dict[str, Any]:
    def one(name: str, value: Any) -> Any:
        if name in ("vendor", "name"):
            return required_text(value, field=name, limit=200)
        if name == "description":
            return optional_text(value, field=name, limit=20000)
        if name == "shared":
            return cleaning.flag(value, name)
        raise ValidationFailed({name: _("Unknown field.")})

    out, errors = collect(raw, one)
    if errors:
        raise ValidationFailed(errors)
    return out


def _product_taken(tenant_id: int, vendor: str, name: str, exclude: int | None) -> None:
    qs = SoftwareProduct.objects.filter(tenant_id=tenant_id, vendor=vendor, name=name)
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    if qs.exists():
        raise ValidationFailed({"name": _("This vendor already has a product of this name.")})


def create_product(*, actor: User, tenant: Tenant | None = None, **raw: Any) -> SoftwareProduct:
    """Add a product to the catalogue (administrators); vendor + name unique per tenant."""
    tenant = target_tenant(actor, tenant)
    _require_admin(actor, tenant.pk)
    raw.setdefault("vendor", "")
    raw.setdefault("name", "")
    values = _clean_product(raw)
    with transaction.atomic():
        _product_taken(tenant.pk, values["vendor"], values["name"], None)
        try:
            with transaction.atomic():
                product = SoftwareProduct.objects.create(tenant=tenant, **values)
        except IntegrityError as exc:
            raise ValidationFailed({"name": _("This product conflicts with another.")}) from exc
        record(
            tenant=tenant.pk,
            subject="software_product",
            pk=product.pk,
            verb="created",
            actor=actor,
            data=values,
        )
    return product


def update_product(
    *, actor: User, product: SoftwareProduct, expected_version: int | None = None, **raw: Any
) -> SoftwareProduct:
    _require_admin(actor, product.tenant_id)
    with transaction.atomic():
        product = SoftwareProduct.objects.select_for_update().get(pk=product.pk)
        check_version(expected_version, product.version)
        values = _clean_product(raw)
        _product_taken(
            product.tenant_id,
            values.get("vendor", product.vendor),
            values.get("name", product.name),
            product.pk,
        )
        changes = apply_changes(product, values)
        if changes:
            product.version += 1
            product.save()
            record(
                tenant=product.tenant_id,
                subject="software_product",
                pk=product.pk,
                verb="updated",
                actor=actor,
                data={"changes": changes},
            )
    return product


def delete_product(*, actor: User, product: SoftwareProduct) -> None:
    """Remove a product and its versions — refused while installed or licensed anywhere."""
    _require_admin(actor, product.tenant_id)
    with transaction.atomic():
        product = SoftwareProduct.objects.select_for_update().get(pk=product.pk)
        if Installation.objects.filter(software_version__product=product).exists():
            raise ValidationFailed({"product": _("Installations of this product exist.")})
        if Licence.objects.filter(product=product).exists():
            raise ValidationFailed({"product": _("Licences for this product exist.")})
        record(
            tenant=product.tenant_id,
            subject="software_product",
            pk=product.pk,
            verb="deleted",
            actor=actor,
            data={"vendor": product.vendor, "name": product.name},
        )
        product.delete()


# --- versions ---------------------------------------------------------------------------------


def _clean_version(raw: dict[str, Any], *, current: SoftwareVersion | None) -> dict[str, Any]:
    """Each field, then the order of the lifecycle dates: GA ≤ EOS ≤ extended support, EOL."""

    def one(name: str, value: Any) -> Any:
        if name == "version":
            return required_text(value, field=name, limit=100)
        if name in DATES:
            return cleaning.day(value, name)
        if name == "dates_source":
            return cleaning.choice(value, DatesSource, name)
        raise ValidationFailed({name: _("Unknown field.")})

    out, errors = collect(raw, one)
    if not any(d in errors for d in DATES):
        for later, earlier in (
            ("end_of_support", "ga_date"),
            ("end_of_extended_support", "end_of_support"),
            ("end_of_life", "end_of_support"),
            ("end_of_life", "ga_date"),
        ):
            if later not in errors:
                errors.update(cleaning.not_before(out, current, later, earlier))
    if errors:
        raise ValidationFailed(errors)
    return out


def create_version(*, actor: User, product: SoftwareProduct, **raw: Any) -> SoftwareVersion:
    """Add a version (or release cycle) of a product with its lifecycle dates."""
    _require_admin(actor, product.tenant_id)
    raw.setdefault("version", "")
    values = _clean_version(raw, current=None)
    with transaction.atomic():
        SoftwareProduct.objects.select_for_update().filter(pk=product.pk).first()
        if SoftwareVersion.objects.filter(product=product, version=values["version"]).exists():
            raise ValidationFailed({"version": _("This product already has this version.")})
        version = SoftwareVersion.objects.create(
            tenant_id=product.tenant_id, product=product, **values
        )
        record(
            tenant=product.tenant_id,
            subject="software_version",
            pk=version.pk,
            verb="created",
            actor=actor,
            data={"product": product.pk, **{k: cleaning.jsonable(v) for k, v in values.items()}},
        )
    return version


def update_version(
    *,
    actor: User,
    software_version: SoftwareVersion,
    expected_version: int | None = None,
    **raw: Any,
) -> SoftwareVersion:
    """Change a version's name or dates; the end-of-life report follows at once.

    The record is `software_version`, not `version`: `version` is one of the fields in `raw`
    (the version string), and a keyword of that name would collide with it.
    """
    _require_admin(actor, software_version.tenant_id)
    with transaction.atomic():
        version = SoftwareVersion.objects.select_for_update().get(pk=software_version.pk)
        check_version(expected_version, version.row_version)
        values = _clean_version(raw, current=version)
        if "version" in values:
            taken = SoftwareVersion.objects.filter(
                product_id=version.product_id, version=values["version"]
            )
            if taken.exclude(pk=version.pk).exists():
                raise ValidationFailed({"version": _("This product already has this version.")})
        changes = apply_changes(version, values)
        if changes:
            version.row_version += 1
            version.save()
            record(
                tenant=version.tenant_id,
                subject="software_version",
                pk=version.pk,
                verb="updated",
                actor=actor,
                data={"changes": changes},
            )
    return version


def delete_version(*, actor: User, version: SoftwareVersion) -> None:
    _require_admin(actor, version.tenant_id)
    with transaction.atomic():
        version = SoftwareVersion.objects.select_for_update().get(pk=version.pk)
        if version.installations.exists():
            raise ValidationFailed({"version": _("Installations of this version exist.")})
        record(
            tenant=version.tenant_id,
            subject="software_version",
            pk=version.pk,
            verb="deleted",
            actor=actor,
            data={"product": version.product_id, "version": version.version},
        )
        version.delete()


# --- installations ----------------------------------------------------------------------------


def _journal_installation(inst: Installation, verb: str, actor: User, data: Any) -> None:
    record(
        tenant=inst.tenant_id, subject="installation", pk=inst.pk, verb=verb, actor=actor, data=data
    )
    ci_verb = {"created": "software_installed", "deleted": "software_removed"}.get(verb)
    if ci_verb:
        record(
            tenant=inst.tenant_id, subject="ci", pk=inst.ci_id, verb=ci_verb, actor=actor, data=data
        )


def create_installation(
    *,
    actor: User,
    ci: CI,
    software_version: SoftwareVersion,
    installed_at: Any = None,
    discovered: Any = False,
) -> Installation:
    """Say a CI runs a version; the version's product must be usable in the CI's tenant."""
    require_agent(actor, ci.tenant_id)
    errors: dict[str, str] = {}
    if not isinstance(software_version, SoftwareVersion) or not _usable_in(
        software_version.product, ci.tenant
    ):
        errors["software_version"] = _("Unknown software version.")
    values, more = collect(
        {"installed_at": installed_at, "discovered": discovered},
        lambda n, v: cleaning.aware(v, n) if n == "installed_at" else cleaning.flag(v, n),
    )
    errors.update(more)
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        CI.objects.select_for_update().filter(pk=ci.pk).first()
        if Installation.objects.filter(ci=ci, software_version=software_version).exists():
            raise ValidationFailed({"software_version": _("This CI already runs this version.")})
        try:
            with transaction.atomic():
                inst = Installation.objects.create(
                    tenant_id=ci.tenant_id, ci=ci, software_version=software_version, **values
                )
        except IntegrityError as exc:
            raise ValidationFailed(
                {"software_version": _("This CI already runs this version.")}
            ) from exc
        _journal_installation(
            inst,
            "created",
            actor,
            {
                "installation": inst.pk,
                "ci": ci.pk,
                "software_version": software_version.pk,
                "product": software_version.product_id,
                "version": software_version.version,
                **{k: cleaning.jsonable(v) for k, v in values.items()},
            },
        )
    return inst


def update_installation(*, actor: User, installation: Installation, **raw: Any) -> Installation:
    """Correct when it was installed or whether discovery found it."""
    require_agent(actor, installation.tenant_id)

    def one(name: str, value: Any) -> Any:
        if name == "installed_at":
            return cleaning.aware(value, name)
        if name == "discovered":
            return cleaning.flag(value, name)
        raise ValidationFailed({name: _("Unknown field.")})

    values, errors = collect(raw, one)
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        inst = Installation.objects.select_for_update().get(pk=installation.pk)
        changes = apply_changes(inst, values)
        if changes:
            inst.save()
            _journal_installation(inst, "updated", actor, {"changes": changes})
    return inst


def delete_installation(*, actor: User, installation: Installation) -> None:
    require_agent(actor, installation.tenant_id)
    with transaction.atomic():
        CI.objects.select_for_update().filter(pk=installation.ci_id).first()
        inst = Installation.objects.select_related("software_version").get(pk=installation.pk)
        _journal_installation(
            inst,
            "deleted",
            actor,
            {
                "installation": inst.pk,
                "ci": inst.ci_id,
                "software_version": inst.software_version_id,
                "version": inst.software_version.version,
            },
        )
        inst.delete()


# --- licences ---------------------------------------------------------------------------------


def _clean_licence(
    raw: dict[str, Any], *, tenant: Tenant, licence: Licence | None
) -> dict[str, Any]:
    def one(name: str, value: Any) -> Any:
        if name == "name":
            return required_text(value, field=name, limit=200)
        if name == "metric":
            return cleaning.choice(value, LicenceMetric, name)
        if name == "quantity":
            return cleaning.whole(value, name)
        if name in ("term_start", "term_end"):
            return cleaning.day(value, name)
        if name == "cost":
            return cleaning.money(value, name)
        if name == "product":
            if not isinstance(value, SoftwareProduct) or not _usable_in(value, tenant):
                raise ValidationFailed({name: _("Unknown software product.")})
            return value
        if name == "assigned_users":
            users = list(value or [])
            if any(not isinstance(u, User) or tenant.pk not in reach(u) for u in users):
                raise ValidationFailed({name: _("Unknown user.")})
            return users
        raise ValidationFailed({name: _("Unknown field.")})

    out, errors = collect(raw, one)
    if "term_start" not in errors and "term_end" not in errors:
        errors.update(cleaning.not_before(out, licence, "term_end", "term_start"))
    if errors:
        raise ValidationFailed(errors)
    return out


def create_licence(*, actor: User, tenant: Tenant | None = None, **raw: Any) -> Licence:
    """Record an entitlement: a quantity of a metric for a product, over a term."""
    tenant = target_tenant(actor, tenant)
    require_agent(actor, tenant.pk)
    raw.setdefault("name", "")
    if "product" not in raw:
        raise ValidationFailed({"product": _("This field is required.")})
    values = _clean_licence(raw, tenant=tenant, licence=None)
    users = values.pop("assigned_users", [])
    with transaction.atomic():
        licence = Licence.objects.create(tenant=tenant, **values)
        licence.assigned_users.set(users)
        record(
            tenant=tenant.pk,
            subject="licence",
            pk=licence.pk,
            verb="created",
            actor=actor,
            data={
                **{k: cleaning.jsonable(v) for k, v in values.items()},
                "assigned_users": cleaning.jsonable(users),
            },
        )
    return licence


def update_licence(
    *, actor: User, licence: Licence, expected_version: int | None = None, **raw: Any
) -> Licence:
    require_agent(actor, licence.tenant_id)
    with transaction.atomic():
        licence = Licence.objects.select_for_update().select_related("tenant").get(pk=licence.pk)
        check_version(expected_version, licence.version)
        values = _clean_licence(raw, tenant=licence.tenant, licence=licence)
        changes = apply_changes(licence, values, m2m=("assigned_users",))
        if changes:
            licence.version += 1
            licence.save()
            record(
                tenant=licence.tenant_id,
                subject="licence",
                pk=licence.pk,
                verb="updated",
                actor=actor,
                data={"changes": changes},
            )
    return licence


def delete_licence(*, actor: User, licence: Licence) -> None:
    require_agent(actor, licence.tenant_id)
    with transaction.atomic():
        licence = Licence.objects.select_for_update().get(pk=licence.pk)
        record(
            tenant=licence.tenant_id,
            subject="licence",
            pk=licence.pk,
            verb="deleted",
            actor=actor,
            data={"name": licence.name},
        )
        licence.delete()
