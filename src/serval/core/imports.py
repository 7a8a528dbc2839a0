"""All-or-nothing imports from CSV or XLSX, shared by every app that imports rows (CIs,
relationships, assets, …).

The file is checked whole first (SECURITY-REFERENCE F1, C6), then each row goes through the
app's own actions inside one transaction, each in a savepoint so every row's errors are
collected. A dry run, or any error, rolls everything back.

- **Which format** is decided by the file's first bytes (an XLSX file is a ZIP archive), and a
  file name's extension, when there is one, must agree: a `.csv` that is a ZIP archive or an
  `.xlsx` that is not is refused.
- **CSV** must be UTF-8 text without NUL bytes, at most `MAX_BYTES`.
- **XLSX** is a ZIP archive of XML parts, so before openpyxl parses anything the archive's
  directory is read and refused when it has more than `MAX_XLSX_MEMBERS` members, declares more
  than `MAX_XLSX_UNCOMPRESSED` bytes in all, or a member expands more than `MAX_XLSX_RATIO`
  times (zip bombs); the declared sizes bound what decompression will produce, since Python's
  zipfile stops at them. openpyxl then parses the XML through defusedxml (a dependency of
  Serval, which openpyxl uses whenever it is installed; `_require_defusedxml` checks it), so
  entity declarations — billion laughs, external entities — are refused. Only the first sheet
  is read, values only (never formulas), and at most `MAX_ROWS` rows and `MAX_COLUMNS` columns.

Both formats end as the same list of `{column: text}` rows, so an app's import code never knows
which format it read.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from serval.core.errors import ValidationFailed

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
MAX_COLUMNS = 200
MAX_XLSX_MEMBERS = 200
MAX_XLSX_UNCOMPRESSED = 50 * 1024 * 1024
MAX_XLSX_RATIO = 200
ZIP_MAGIC = b"PK\x03\x04"
CSV_EXTENSIONS = (".csv", ".txt")
XLSX_EXTENSIONS = (".xlsx", ".xlsm")
ACCEPT = ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class _Abort(Exception):
    pass


class Row(dict[str, str]):
    """One data row, `{column: text}`, knowing its row number in the file (header = 1)."""

    number: int = 0


def _file_error(message: str) -> ValidationFailed:
    return ValidationFailed({"file": message})


def size_limit_message() -> str:
    return _("At most %d MB.") % (MAX_BYTES // (1024 * 1024))


def check_upload_size(size: int | None) -> None:
    """Refuse an upload over the limit before reading it (API and pages call this first)."""
    if size is None or size > MAX_BYTES:
        raise _file_error(size_limit_message())


def is_xlsx(data: bytes, filename: str = "") -> bool:
    """Whether the file is XLSX (by its first bytes); a contradicting extension is an error."""
    zipped = data.startswith(ZIP_MAGIC)
    name = (filename or "").lower()
    if name.endswith(XLSX_EXTENSIONS) and not zipped:
        raise _file_error(_("The file is not a valid XLSX workbook."))
    if name.endswith(CSV_EXTENSIONS) and zipped:
        raise _file_error(_("The file is not UTF-8 CSV text."))
    if name and "." in name and not name.endswith(CSV_EXTENSIONS + XLSX_EXTENSIONS):
        raise _file_error(_("Upload a .csv or .xlsx file."))
    return zipped


def _csv_table(data: bytes) -> tuple[list[str], Iterable[list[str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _file_error(_("The file must be UTF-8 CSV.")) from exc
    if "\x00" in text:
        raise _file_error(_("The file must be UTF-8 CSV."))
    reader = csv.reader(io.StringIO(text))
    try:
        headers = next(reader, [])
    except csv.Error as exc:
        raise _file_error(_("The file is not valid CSV.")) from exc

    def body() -> Iterable[list[str]]:
        try:
            yield from reader
        except csv.Error as exc:
            raise _file_error(_("The file is not valid CSV.")) from exc

    return headers, body()


def _check_archive(data: bytes) -> None:
    """Refuse an archive that would expand too far before any of it is parsed (zip bombs)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise _file_error(_("The file is not a valid XLSX workbook.")) from exc
    if len(members) > MAX_XLSX_MEMBERS:
        raise _file_error(_("The workbook has too many parts."))
    total = 0
    for info in members:
        total += info.file_size
        if info.file_size > MAX_XLSX_RATIO * max(info.compress_size, 1) and info.file_size > 1e6:
            raise _file_error(_("The workbook expands too far to be read safely."))
    if total > MAX_XLSX_UNCOMPRESSED:
        raise _file_error(_("The workbook expands too far to be read safely."))


def _require_defusedxml() -> None:
    from openpyxl import xml

    if not xml.DEFUSEDXML:  # pragma: no cover - defusedxml is a dependency
        raise _file_error(_("XLSX import needs the defusedxml package."))


def cell_text(value: Any) -> str:
    """A spreadsheet value as the text a CSV cell would hold (dates as ISO dates)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _xlsx_table(data: bytes) -> tuple[list[str], Iterable[list[str]]]:
    _check_archive(data)
    _require_defusedxml()
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        first = next(rows, ())
    except ValidationFailed:
        raise
    except Exception as exc:  # malformed parts, entities refused by defusedxml, …
        raise _file_error(_("The file is not a valid XLSX workbook.")) from exc
    headers = [cell_text(v) for v in first]
    while headers and not headers[-1]:
        headers.pop()

    def body() -> Iterable[list[str]]:
        try:
            for values in rows:
                yield [cell_text(v) for v in values[: MAX_COLUMNS + 1]]
        except ValidationFailed:
            raise
        except Exception as exc:
            raise _file_error(_("The file is not a valid XLSX workbook.")) from exc
        finally:
            book.close()

    return headers, body()


def read_rows(
    data: bytes,
    *,
    columns: Collection[str],
    required: tuple[str, ...],
    required_message: str,
    prefixes: tuple[str, ...] = (),
    filename: str = "",
) -> list[dict[str, str]]:
    """Rows of a CSV or XLSX file as stripped dicts (`Row`s, numbered as in the file), or a
    `file` error naming what is wrong."""
    if len(data) > MAX_BYTES:
        raise _file_error(size_limit_message())
    raw_headers, body = _xlsx_table(data) if is_xlsx(data, filename) else _csv_table(data)
    headers = [h.strip() for h in raw_headers]
    if len(headers) > MAX_COLUMNS:
        raise _file_error(_("At most %d columns.") % MAX_COLUMNS)
    unknown = [h for h in headers if h not in columns and not h.startswith(prefixes or ("\0",))]
    if any(name not in headers for name in required):
        raise _file_error(required_message)
    if unknown:
        raise _file_error(_("Unknown columns: %s.") % ", ".join(unknown[:10]))
    rows: list[dict[str, str]] = []
    for number, values in enumerate(body, start=2):
        row = Row((h, (v or "").strip()) for h, v in zip(headers, values, strict=False) if h)
        if not any(row.values()):
            continue  # blank lines, and the empty rows spreadsheets keep below the data
        if len(rows) >= MAX_ROWS:
            raise _file_error(_("At most %d rows.") % MAX_ROWS)
        row.number = number
        rows.append(row)
    return rows


def read_csv(data: bytes, **kwargs: Any) -> list[dict[str, str]]:
    """`read_rows` under its older name (the file may be XLSX too)."""
    return read_rows(data, **kwargs)


def run_import(
    rows: list[dict[str, str]],
    *,
    dry_run: bool,
    apply_row: Callable[[dict[str, str]], bool | None],
) -> ImportResult:
    """Apply every row: `apply_row` returns True when it created, False when it updated and
    None when the row was already so (nothing to do)."""
    result = ImportResult(dry_run=dry_run, rows=len(rows))
    try:
        with transaction.atomic():
            for index, row in enumerate(rows, start=2):  # the header is row 1
                number = getattr(row, "number", 0) or index
                try:
                    with transaction.atomic():
                        outcome = apply_row(row)
                        if outcome is None:
                            result.unchanged += 1
                        elif outcome:
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
