"""CSV and XLSX import of CIs and of relationships: a dry run, per-row errors, and nothing
written unless every row is good.

Each row goes through `actions.create_ci` (or `update_ci` when its identifiers match an existing
CI of the tenant: reconciliation on identifiers, DOMAIN.md §2.7), all inside one transaction that
is rolled back on any error or on a dry run. Rows therefore see the rows before them, so two rows
with the same serial are caught like a duplicate in the database. Attributes come from columns
named `attr:<name>` and are converted by the class schema's types. Files are checked by
`serval.core.imports` before parsing (size, rows, UTF-8 CSV or a safe XLSX archive;
SECURITY-REFERENCE F1, C6).

Relationships come as (parent, type, child) rows: each end names a CI of the tenant by host
name, FQDN, serial, cloud id or (unique) name, the type by its name (`depends_on`) or label
("Depends on"); each row goes through `actions.create_relationship` with the type's rules, and a
relationship that exists already is counted unchanged, so an exported file imports again.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from serval.cmdb import actions
from serval.cmdb.attributes import effective_schema
from serval.cmdb.models import CI, IDENTIFIERS, CIClass, CIRelationship, RelationshipType
from serval.cmdb.querysets import classes_visible_to
from serval.core.errors import ValidationFailed
from serval.core.imports import ImportResult, read_rows, run_import
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


RELATIONSHIP_COLUMNS = ("parent", "type", "child")


def _read(data: bytes, filename: str) -> list[dict[str, str]]:
    return read_rows(
        data,
        columns=COLUMNS,
        required=("name", "class"),
        required_message=_("The columns name and class are required."),
        prefixes=("attr:",),
        filename=filename,
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
    *,
    actor: User,
    data: bytes,
    dry_run: bool = True,
    tenant: Tenant | None = None,
    filename: str = "",
) -> ImportResult:
    """Create or update CIs from CSV or XLSX, all or nothing; the header is row 1."""
    tenant = tenant or actor.tenant
    actions.ensure_can_edit(actor, tenant.pk)
    rows = _read(data, filename)
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


def find_ci(key: str, tenant: Tenant, *, field: str = "ci") -> CI:
    """The tenant's CI a file names by host name, FQDN, serial, cloud id or (unique) name."""
    cis = CI.objects.filter(tenant=tenant)
    lowered = key.lower().rstrip(".")
    for found in (
        cis.filter(hostname=lowered).first(),
        cis.filter(fqdn=lowered).first(),
        cis.filter(serial=key).first(),
        cis.filter(cloud_id=key).first(),
    ):
        if found is not None:
            return found
    named = list(cis.filter(name=key)[:2])
    if len(named) != 1:
        raise ValidationFailed(
            {field: _("No single CI has this host name, FQDN, serial, cloud id or name.")}
        )
    return named[0]


def _types() -> dict[str, RelationshipType]:
    found: dict[str, RelationshipType] = {}
    for t in RelationshipType.objects.all():
        found[t.name] = t
        found.setdefault(t.label.lower(), t)
    return found


def import_relationships(
    *,
    actor: User,
    data: bytes,
    dry_run: bool = True,
    tenant: Tenant | None = None,
    filename: str = "",
) -> ImportResult:
    """Create relationships (parent, type, child) from CSV or XLSX, all or nothing."""
    tenant = tenant or actor.tenant
    actions.ensure_can_edit(actor, tenant.pk)
    rows = read_rows(
        data,
        columns=RELATIONSHIP_COLUMNS,
        required=RELATIONSHIP_COLUMNS,
        required_message=_("The columns parent, type and child are required."),
        filename=filename,
    )
    types = _types()

    def apply_row(row: dict[str, str]) -> bool | None:
        errors: dict[str, str] = {}
        ends: dict[str, CI] = {}
        for end in ("parent", "child"):
            try:
                if not row.get(end):
                    raise ValidationFailed({end: _("This field is required.")})
                ends[end] = find_ci(row[end], tenant, field=end)
            except ValidationFailed as exc:
                errors.update(exc.as_dict())
        rtype = types.get(row.get("type", "")) or types.get(row.get("type", "").lower())
        if rtype is None:
            errors["type"] = _("Unknown relationship type.")
        if errors or rtype is None:
            raise ValidationFailed(errors)
        parent, child = ends["parent"], ends["child"]
        if CIRelationship.objects.filter(parent=parent, child=child, type=rtype).exists():
            return None
        actions.create_relationship(actor=actor, parent=parent, child=child, type=rtype)
        return True

    return run_import(rows, dry_run=dry_run, apply_row=apply_row)
