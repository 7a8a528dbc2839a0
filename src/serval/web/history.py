"""A record's journal read as people read it: verbs as words, changed fields as old → new.

The incident timeline (`serval.web.timeline`) and the histories of CMDB and asset records read
the same journal shape — `{"changes": {field: [old, new]}}` for an edit, `{field: value, …}`
for a creation — so the reading lives here once: `changes` turns that shape into `Change`s
with labels, and `display` shows a stored value the way the record's page shows it (a choice's
label, yes/no, a date, "—" for nothing). Each record type only says what is particular to it
(labels of its fields, sentences for its own verbs), e.g. `serval.cmdb.history`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from serval.core.models import JournalEvent
from serval.people.models import User


@dataclass
class Change:
    """One changed field: `old` is None for a value set at creation."""

    field: str
    label: str
    old: Any
    new: Any


def changes(raw: Mapping[str, Any] | None, labels: Mapping[str, Any]) -> list[Change]:
    """`{field: [old, new]}` (or `{field: new}`) as `Change`s labelled from `labels`."""
    out = []
    for name, pair in (raw or {}).items():
        old, new = (list(pair) + [None, None])[:2] if isinstance(pair, list) else (None, pair)
        out.append(Change(name, str(labels.get(name, name)), old, new))
    return out


def field_labels(model: type[models.Model]) -> dict[str, str]:
    """Each concrete field's verbose name, capitalised as a page shows it."""
    labels: dict[str, str] = {}
    for f in model._meta.get_fields():
        verbose = getattr(f, "verbose_name", None)
        if verbose and (getattr(f, "concrete", False) or getattr(f, "many_to_many", False)):
            text = str(verbose)
            labels[f.name] = text[:1].upper() + text[1:]
    return labels


def display(model: type[models.Model], name: str, value: Any) -> str:
    """A stored journal value shown as the record's page shows it."""
    if value is None or value == "" or value == []:
        return "—"
    try:
        model_field = model._meta.get_field(name)
    except Exception:  # an attribute or a field that no longer exists: shown as stored
        model_field = None
    choices = dict(getattr(model_field, "flatchoices", None) or [])
    if choices and value in choices:
        return str(choices[value])
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    if isinstance(value, str) and isinstance(model_field, models.DateTimeField):
        try:
            return datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M")
        except ValueError:
            return value
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


@dataclass
class Entry:
    """One journal event of a record: a headline, and the fields it changed or set."""

    event: JournalEvent
    headline: str
    changes: list[Change] = field(default_factory=list)
    created: bool = False
    detail: str = ""
    url: str = ""

    @property
    def actor(self) -> User | None:
        return self.event.actor

    @property
    def at(self) -> datetime:
        return self.event.created_at


def shown(
    model: type[models.Model],
    raw: Mapping[str, Any] | None,
    *,
    labels: Mapping[str, Any],
    created: bool = False,
    value: Callable[[str, Any], str] | None = None,
) -> list[Change]:
    """`changes` with values rendered for display (`value` may override `display` per field).

    An edit shows both sides, "—" for an empty one; a creation shows only the fields it set.
    """
    render = value or (lambda name, v: display(model, name, v))
    out = []
    for c in changes(raw, labels):
        if created:
            if c.new in (None, "", [], {}):
                continue
            c.old = None
        else:
            c.old = render(c.field, c.old)
        c.new = render(c.field, c.new)
        out.append(c)
    return out
