"""CSV import of assets: a dry run, per-row errors, and nothing written unless every row is good.

The same contract as the CMDB's import (`serval.cmdb.imports`, whose result types this reuses):
each row goes through `actions.create_asset`, or `update_asset` when its asset tag or serial
names an existing asset of the tenant, all in one transaction rolled back on any error or on a
dry run — so later rows see earlier ones and a duplicate tag inside the file is caught too. The
`ci` column names a CI of the tenant by host name, FQDN, serial or (unique) name. Files are size-
and row-limited before parsing and must be UTF-8 text (SECURITY-REFERENCE F1).
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from serval.assets import actions
from serval.assets.models import Asset
from serval.cmdb.imports import MAX_BYTES, MAX_ROWS, ImportResult, RowError
from serval.cmdb.models import CI
from serval.core.errors import ValidationFailed
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


class _Abort(Exception):
    pass


def _read(data: bytes) -> list[dict[str, str]]:
    if len(data) > MAX_BYTES:
        raise ValidationFailed({"file": _("At most 2 MB.")})
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationFailed({"file": _("The file must be UTF-8 CSV.")}) from exc
    if "\x00" in text:
        raise ValidationFailed({"file": _("The file must be UTF-8 CSV.")})
    reader = csv.DictReader(io.StringIO(text))
    headers = [h.strip() for h in reader.fieldnames or []]
    if "name" not in headers:
        raise ValidationFailed({"file": _("The column name is required.")})
    unknown = [h for h in headers if h not in COLUMNS]
    if unknown:
        raise ValidationFailed({"file": _("Unknown columns: %s.") % ", ".join(unknown[:10])})
    rows: list[dict[str, str]] = []
    try:
        for raw in reader:
            if len(rows) >= MAX_ROWS:
                raise ValidationFailed({"file": _("At most %d rows.") % MAX_ROWS})
            rows.append({(k or "").strip(): (v or "").strip() for k, v in raw.items() if k})
    except csv.Error as exc:
        raise ValidationFailed({"file": _("The file is not valid CSV.")}) from exc
    return rows


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
    result = ImportResult(dry_run=dry_run, rows=len(rows))
    try:
        with transaction.atomic():
            for number, row in enumerate(rows, start=2):
                try:
                    with transaction.atomic():
                        values = _fields(row, actor, tenant)
                        existing = _match(values, tenant)
                        if existing is None:
                            actions.create_asset(actor=actor, tenant=tenant, **values)
                            result.created += 1
                        else:
                            actions.update_asset(actor=actor, asset=existing, **values)
                            result.updated += 1
                except ValidationFailed as exc:
                    result.errors += [
                        RowError(number, e["field"], e["message"]) for e in exc.errors
                    ]
            if result.errors or dry_run:
                raise _Abort
    except _Abort:
        pass
    return result
