"""CSV import of assets: a dry run, per-row errors, and nothing written unless every row is good.

The same contract as the CMDB's import (`serval.cmdb.imports`, whose result types this reuses):
each row goes through `actions.create_asset`, or `update_asset` when its asset tag or serial
names an existing asset of the tenant, all in one transaction rolled back on any error or on a
dry run — so later rows see earlier ones and a duplicate tag inside the file is caught too. The
`ci` column names a CI of the tenant by host name, FQDN, serial or (unique) name. Files are size-
and row-limited before parsing and must be UTF-8 text (SECURITY-REFERENCE F1).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from serval.assets import actions
from serval.assets.models import Asset
from serval.cmdb.models import CI
from serval.core.errors import ValidationFailed
from serval.core.imports import MAX_BYTES, ImportResult, read_csv, run_import
from serval.core.models import Tenant
from serval.people.models import User
from serval.people.querysets import users_visible_to

PLAIN = (
    "name",
    "kind",
    "asset_tag",
    "serial",
    "model",
    "manufacturer",
    "lifecycle_stage",
    "lifecycle_status",
    "location",
    "cost_centre",
    "cost",
    "purchase_order",
    "purchase_date",
    "vendor",
    "warranty_end",
    "lease_end",
)
COLUMNS = (*PLAIN, "ci", "assigned_to")

__all__ = ["COLUMNS", "MAX_BYTES", "ImportResult", "import_assets"]


def _read(data: bytes) -> list[dict[str, str]]:
    return read_csv(
        data,
        columns=COLUMNS,
        required=("name",),
        required_message=_("The column name is required."),
    )


def _ci(key: str, tenant: Tenant) -> CI:
    cis = CI.objects.filter(tenant=tenant)
    lowered = key.lower().rstrip(".")
    for found in (
        cis.filter(hostname=lowered).first(),
        cis.filter(fqdn=lowered).first(),
        cis.filter(serial=key).first(),
    ):
        if found is not None:
            return found
    named = list(cis.filter(name=key)[:2])
    if len(named) != 1:
        raise ValidationFailed({"ci": _("No single CI has this host name, FQDN, serial or name.")})
    return named[0]


def _fields(row: dict[str, str], actor: User, tenant: Tenant) -> dict[str, Any]:
    values: dict[str, Any] = {name: row[name] for name in PLAIN if row.get(name)}
    if row.get("ci"):
        values["ci"] = _ci(row["ci"], tenant)
    if row.get("assigned_to"):
        user = users_visible_to(actor).filter(username=row["assigned_to"]).first()
        if user is None:
            raise ValidationFailed({"assigned_to": _("Unknown user.")})
        values["assigned_to"] = user
    return values


def _match(values: dict[str, Any], tenant: Tenant) -> Asset | None:
    """The asset the row's tag or serial names; naming two different assets is an error."""
    found: Asset | None = None
    for name in ("asset_tag", "serial"):
        if not values.get(name):
            continue
        asset = Asset.objects.filter(tenant=tenant, **{name: values[name]}).first()
        if asset is None:
            continue
        if found is not None and asset.pk != found.pk:
            raise ValidationFailed(
                {
                    name: _("Belongs to %(other)s, not %(a)s.")
                    % {"other": asset.name, "a": found.name}
                }
            )
        found = asset
    return found


def import_assets(
    *, actor: User, data: bytes, dry_run: bool = True, tenant: Tenant | None = None
) -> ImportResult:
    """Create or update assets from CSV, all or nothing; row numbers count the header as 1."""
    tenant = actions.target_tenant(actor, tenant)
    actions.require_agent(actor, tenant.pk)
    rows = _read(data)

    def apply_row(row: dict[str, str]) -> bool:
        values = _fields(row, actor, tenant)
        existing = _match(values, tenant)
        if existing is None:
            actions.create_asset(actor=actor, tenant=tenant, **values)
            return True
        actions.update_asset(actor=actor, asset=existing, **values)
        return False

    return run_import(rows, dry_run=dry_run, apply_row=apply_row)
