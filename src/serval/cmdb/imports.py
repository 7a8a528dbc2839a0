"""CSV import of CIs: a dry run, per-row errors, and nothing written unless every row is good.

Each row goes through `actions.create_ci` (or `update_ci` when its identifiers match an existing
CI of the tenant: reconciliation on identifiers, DOMAIN.md §2.7), all inside one transaction that
is rolled back on any error or on a dry run. Rows therefore see the rows before them, so two rows
with the same serial are caught like a duplicate in the database. Attributes come from columns
named `attr:<name>` and are converted by the class schema's types. Files are size- and
row-limited before parsing, and must be UTF-8 text (SECURITY-REFERENCE F1).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from serval.cmdb import actions
from serval.cmdb.attributes import effective_schema
from serval.cmdb.models import CI, IDENTIFIERS, CIClass
from serval.cmdb.querysets import classes_visible_to
from serval.core.errors import ValidationFailed
from serval.core.models import Tenant
from serval.people.models import User
from serval.people.querysets import teams_visible_to, users_visible_to

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
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


@dataclass
class RowError:
    row: int
    field: str
    message: str


@dataclass
class ImportResult:
    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class _Abort(Exception):
    pass


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
    unknown = [h for h in headers if h not in COLUMNS and not h.startswith("attr:")]
    if "name" not in headers or "class" not in headers:
        raise ValidationFailed({"file": _("The columns name and class are required.")})
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
    result = ImportResult(dry_run=dry_run, rows=len(rows))
    try:
        with transaction.atomic():
            for number, row in enumerate(rows, start=2):
                try:
                    with transaction.atomic():
                        values = _fields(row, actor, classes)
                        existing = _match(values, tenant)
                        if existing is None:
                            actions.create_ci(actor=actor, tenant=tenant, **values)
                            result.created += 1
                        else:
                            actions.update_ci(actor=actor, ci=existing, **values)
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
