"""CSV and XLSX import of assets: a dry run, per-row errors, and nothing written unless every
row is good.

The same contract as the CMDB's import (`serval.cmdb.imports`, whose result types this reuses):
each row goes through `actions.create_asset`, or `update_asset` when its asset tag or serial
names an existing asset of the tenant, all in one transaction rolled back on any error or on a
dry run — so later rows see earlier ones and a duplicate tag inside the file is caught too. The
`ci` column names a CI of the tenant by host name, FQDN, serial, cloud id or (unique) name
(`serval.cmdb.imports.find_ci`). Files are checked by `serval.core.imports` before parsing:
size, rows, UTF-8 CSV or a safe XLSX archive (SECURITY-REFERENCE F1, C6).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from serval.assets import actions
from serval.assets.models import Asset
from serval.cmdb.imports import find_ci
from serval.core.errors import ValidationFailed
from serval.core.imports import MAX_BYTES, ImportResult, read_rows, run_import
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


def _read(data: bytes, filename: str) -> list[dict[str, str]]:
    return read_rows(
        data,
        columns=COLUMNS,
        required=("name",),
        required_message=_("The column name is required."),
        filename=filename,
    )


def _fields(row: dict[str, str], actor: User, tenant: Tenant) -> dict[str, Any]:
    values: dict[str, Any] = {name: row[name] for name in PLAIN if row.get(name)}
    if row.get("ci"):
        values["ci"] = find_ci(row["ci"], tenant)
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
    *,
    actor: User,
    data: bytes,
    dry_run: bool = True,
    tenant: Tenant | None = None,
    filename: str = "",
) -> ImportResult:
    """Create or update assets from CSV or XLSX, all or nothing; the header is row 1."""
    tenant = actions.target_tenant(actor, tenant)
    actions.require_agent(actor, tenant.pk)
    rows = _read(data, filename)

    def apply_row(row: dict[str, str]) -> bool:
        values = _fields(row, actor, tenant)
        existing = _match(values, tenant)
        if existing is None:
            actions.create_asset(actor=actor, tenant=tenant, **values)
            return True
        actions.update_asset(actor=actor, asset=existing, **values)
        return False

    return run_import(rows, dry_run=dry_run, apply_row=apply_row)
