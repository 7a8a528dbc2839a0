"""All-or-nothing CSV imports, shared by every app that imports rows (CIs, assets, …).

The file is checked whole first (size, UTF-8, no NUL, known columns, row count; SECURITY-
REFERENCE F1), then each row goes through the app's own actions inside one transaction, each in
a savepoint so every row's errors are collected. A dry run, or any error, rolls everything back.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from serval.core.errors import ValidationFailed

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000


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


def read_csv(
    data: bytes,
    *,
    columns: Collection[str],
    required: tuple[str, ...],
    required_message: str,
    prefixes: tuple[str, ...] = (),
) -> list[dict[str, str]]:
    """Rows of a UTF-8 CSV as stripped dicts, or a `file` error naming what is wrong."""
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
    unknown = [h for h in headers if h not in columns and not h.startswith(prefixes or ("\0",))]
    if any(name not in headers for name in required):
        raise ValidationFailed({"file": required_message})
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


def run_import(
    rows: list[dict[str, str]], *, dry_run: bool, apply_row: Callable[[dict[str, str]], bool]
) -> ImportResult:
    """Apply every row (`apply_row` returns True when it created, False when it updated)."""
    result = ImportResult(dry_run=dry_run, rows=len(rows))
    try:
        with transaction.atomic():
            for number, row in enumerate(rows, start=2):  # the header is row 1
                try:
                    with transaction.atomic():
                        if apply_row(row):
                            result.created += 1
                        else:
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
