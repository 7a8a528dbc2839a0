"""Class attribute schemas and the validation of CI attributes against them.

A schema is a list of typed fields; a class's effective schema is its ancestors' fields followed
by its own (a subclass may not redefine an inherited name). Attributes are checked on every CI
write (DOMAIN.md §2.7, issue 4): unknown names, wrong types, missing required ones and choices
outside the list are field errors named `attributes.<name>`.
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from serval.cmdb.models import ATTRIBUTE_TYPES
from serval.core.errors import ValidationFailed

if TYPE_CHECKING:
    from serval.cmdb.models import CIClass

_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")
MAX_FIELDS = 100
MAX_TEXT = 2000
MAX_INT = 2**63 - 1


def clean_schema(
    value: Any, *, inherited: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """A well-formed schema, or a ValidationFailed on "schema" saying what is wrong."""

    def bad(message: str) -> ValidationFailed:
        return ValidationFailed({"schema": message})

    if not isinstance(value, list) or len(value) > MAX_FIELDS:
        raise bad(_("A list of at most %d fields.") % MAX_FIELDS)
    taken = {f["name"] for f in inherited or []}
    out: list[dict[str, Any]] = []
    for item in value:
        if not isinstance(item, dict) or set(item) - {
            "name",
            "type",
            "required",
            "choices",
            "label",
        }:
            raise bad(_("Each field has name, type, and optionally required, choices, label."))
        name = item.get("name")
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise bad(_("Field names are lower-case letters, digits and _, up to 64."))
        if name in taken:
            raise bad(_("The field %s is defined twice (or by a parent class).") % name)
        taken.add(name)
        kind = item.get("type")
        if kind not in ATTRIBUTE_TYPES:
            raise bad(_("Field types are %s.") % ", ".join(ATTRIBUTE_TYPES))
        required = item.get("required", False)
        if not isinstance(required, bool):
            raise bad(_("required is true or false."))
        label = item.get("label", "")
        if not isinstance(label, str) or len(label) > 200 or "\x00" in label:
            raise bad(_("A label is text of at most 200 characters."))
        field: dict[str, Any] = {"name": name, "type": kind, "required": required}
        if label:
            field["label"] = label
        choices = item.get("choices")
        if kind == "choice":
            if (
                not isinstance(choices, list)
                or not 1 <= len(choices) <= 200
                or not all(isinstance(c, str) and 0 < len(c) <= 100 for c in choices)
                or any("\x00" in c for c in choices)
                or len(set(choices)) != len(choices)
            ):
                raise bad(_("A choice field lists 1 to 200 distinct choices."))
            field["choices"] = list(choices)
        elif choices is not None:
            raise bad(_("Only choice fields have choices."))
        out.append(field)
    return out


def effective_schema(ci_class: CIClass) -> list[dict[str, Any]]:
    """Ancestors' fields first, then the class's own; guarded against a corrupt cycle."""
    chain: list[CIClass] = []
    seen: set[int] = set()
    node: CIClass | None = ci_class
    while node is not None and node.pk not in seen:
        seen.add(node.pk)
        chain.append(node)
        node = node.parent
    fields: list[dict[str, Any]] = []
    for cls in reversed(chain):
        fields.extend(cls.schema or [])
    return fields


def _check(field: dict[str, Any], value: Any) -> Any:
    kind = field["type"]
    if kind == "string":
        if not isinstance(value, str) or "\x00" in value or len(value) > MAX_TEXT:
            raise ValueError(_("Text of at most %d characters.") % MAX_TEXT)
        return value.strip()
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int) or abs(value) > MAX_INT:
            raise ValueError(_("A whole number."))
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise ValueError(_("true or false."))
        return value
    if kind == "date":
        try:
            if not isinstance(value, str) or len(value) != 10:
                raise ValueError
            return date.fromisoformat(value).isoformat()
        except ValueError:
            raise ValueError(_("A date as YYYY-MM-DD.")) from None
    if value not in field.get("choices", []):
        raise ValueError(_("One of %s.") % ", ".join(field.get("choices", [])))
    return value


def clean_attributes(value: Any, schema: list[dict[str, Any]]) -> dict[str, Any]:
    """Attributes that match the schema; every problem is reported, each under its own name."""
    if value is None:
        value = {}
    if not isinstance(value, dict):
        raise ValidationFailed({"attributes": _("An object of attribute values.")})
    by_name = {f["name"]: f for f in schema}
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    for name, raw in value.items():
        field = by_name.get(name) if isinstance(name, str) else None
        if field is None:
            errors[f"attributes.{str(name)[:64]}"] = _("Not an attribute of this class.")
            continue
        if raw is None or raw == "":
            continue
        try:
            out[name] = _check(field, raw)
        except ValueError as exc:
            errors[f"attributes.{name}"] = str(exc)
    for field in schema:
        if field.get("required") and field["name"] not in out:
            errors.setdefault(f"attributes.{field['name']}", _("This attribute is required."))
    if errors:
        raise ValidationFailed(errors)
    return out
