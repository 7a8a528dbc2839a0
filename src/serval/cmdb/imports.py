"""CSV import of CIs: a dry run, per-row errors, and nothing written unless every row is good.

Each row goes through `actions.create_ci` (or `update_ci` when its identifiers match an existing
CI of the tenant: reconciliation on identifiers, DOMAIN.md §2.7), all inside one transaction that
is rolled back on any error or on a dry run. Rows therefore see the rows before them, so two rows
with the same serial are caught like a duplicate in the database. Attributes come from columns
named `attr:<name>` and are converted by the class schema's types. Files are size- and
row-limited before parsing, and must be UTF-8 text (SECURITY-REFERENCE F1).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from serval.cmdb import actions
from serval.cmdb.attributes import effective_schema
from serval.cmdb.models import CI, IDENTIFIERS, CIClass
from serval.cmdb.querysets import classes_visible_to
from serval.core.errors import ValidationFailed
from serval.core.imports import ImportResult, read_csv, run_import
from serval.core.models import Tenant
from serval.people.models import User
from serval.people.querysets import teams_visible_to, users_visible_to

PLAIN = (
    "name",
    *IDENTIFIERS,
    "lifecycle_stage",
    "lifecycle_status",
    "operational_status",
    "environment",
    "location",
    "criticality",
    "product_version",
    "vendor",
    "discovery_source",
)
COLUMNS = ("class", *PLAIN, "owner", "support_team")


def _convert(value: str, kind: str) -> Any:
    """CSV text to the schema's type; the schema validation then judges the value."""
    if kind == "int":
        try:
            return int(value)
        except ValueError:
            return value
    if kind == "bool":
        lowered = value.lower()
        if lowered in ("true", "yes", "1"):
            return True
        if lowered in ("false", "no", "0"):
            return False
    return value


def _read(data: bytes) -> list[dict[str, str]]:
    return read_csv(
        data,
        columns=COLUMNS,
        required=("name", "class"),
        required_message=_("The columns name and class are required."),
        prefixes=("attr:",),
    )


def _fields(row: dict[str, str], actor: User, classes: dict[str, CIClass]) -> dict[str, Any]:
    ci_class = classes.get(row.get("class", ""))
    if ci_class is None:
        raise ValidationFailed({"class": _("Unknown class.")})
    values: dict[str, Any] = {"ci_class": ci_class}
    for name in PLAIN:
        if row.get(name):
            values[name] = row[name]
    if row.get("owner"):
        owner = users_visible_to(actor).filter(username=row["owner"]).first()
        if owner is None:
            raise ValidationFailed({"owner": _("Unknown user.")})
        values["owner"] = owner
    if row.get("support_team"):
        team = teams_visible_to(actor).filter(name=row["support_team"]).first()
        if team is None:
            raise ValidationFailed({"support_team": _("Unknown team.")})
        values["support_team"] = team
    types = {f["name"]: f["type"] for f in effective_schema(ci_class)}
    attrs = {
        key[5:]: _convert(value, types.get(key[5:], "string"))
        for key, value in row.items()
        if key.startswith("attr:") and value
    }
    if attrs:
        values["attributes"] = attrs
    return values


def _match(values: dict[str, Any], tenant: Tenant) -> CI | None:
    """The existing CI the row's identifiers name, if any (reconciliation).

    Identifiers that name two different CIs are the row's error, not a guess.
    """
    found: CI | None = None
    for name in IDENTIFIERS:
        value = values.get(name)
        if not value:
            continue
        lookup = value.lower().rstrip(".") if name in ("hostname", "fqdn") else value
        ci = CI.objects.filter(tenant=tenant, **{name: lookup}).first()
        if ci is None:
            continue
        if found is not None and ci.pk != found.pk:
            raise ValidationFailed(
                {
                    name: _("Belongs to %(other)s, not %(ci)s.")
                    % {"other": ci.name, "ci": found.name}
                }
            )
        found = ci
    return found


def import_cis(
    *, actor: User, data: bytes, dry_run: bool = True, tenant: Tenant | None = None
) -> ImportResult:
    """Create or update CIs from CSV, all or nothing; row numbers count the header as 1."""
    tenant = tenant or actor.tenant
    actions.ensure_can_edit(actor, tenant.pk)
    rows = _read(data)
    classes: dict[str, CIClass] = {}
    for ci_class in classes_visible_to(actor).order_by("-tenant_id"):
        classes.setdefault(ci_class.name, ci_class)

    def apply_row(row: dict[str, str]) -> bool:
        values = _fields(row, actor, classes)
        existing = _match(values, tenant)
        if existing is None:
            actions.create_ci(actor=actor, tenant=tenant, **values)
            return True
        actions.update_ci(actor=actor, ci=existing, **values)
        return False

    return run_import(rows, dry_run=dry_run, apply_row=apply_row)
