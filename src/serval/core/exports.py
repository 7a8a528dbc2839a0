"""Spreadsheet-safe exports of list views, as CSV or XLSX.

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to Excel and
LibreOffice (iTop CVE-2023-48709); prefixing a quote makes it text. Every export in Serval goes
through `safe_cell`, so the rule lives in one place — XLSX too: text cells get the same quote
and are written as strings (openpyxl would otherwise store "=…" as a formula), while numbers,
dates and booleans keep their spreadsheet types, which cannot carry a formula. Characters XML
cannot hold (control characters) are dropped.

`export_response(fmt, …)` answers with either format; list pages offer both with `?format=`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\x00")


def safe_cell(value: Any) -> str:
    """Render one value as text a spreadsheet will not execute."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, int | float):
        return str(value)
    text = str(value).replace("\x00", "")
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(
    *, filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> StreamingHttpResponse:
    """Stream rows as CSV so an export of a large list never sits in memory whole."""
    writer = csv.writer(_Echo())

    def lines() -> Iterable[str]:
        yield "\ufeff"  # a BOM so spreadsheet programs read UTF-8
        yield writer.writerow([safe_cell(h) for h in header])
        for row in rows:
            yield writer.writerow([safe_cell(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


Format = Literal["csv", "xlsx"]
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def requested_format(request: HttpRequest) -> Format:
    """`?format=xlsx` asks for a workbook; anything else is CSV."""
    return "xlsx" if request.GET.get("format") == "xlsx" else "csv"


def xlsx_value(value: Any) -> Any:
    """One value for an XLSX cell: typed when it is a number, date or boolean, else safe text."""
    if value is None:
        return None
    if isinstance(value, bool | int | float | Decimal):
        return value
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, date):
        return value
    # Drop what XML cannot hold *before* the formula check: "\x01=1+1" must not become "=1+1".
    return safe_cell(_XML_ILLEGAL.sub("", str(value)))


def xlsx_response(
    *, filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]], sheet: str = "Export"
) -> HttpResponse:
    """A one-sheet workbook (write-only, so rows are not kept as cell objects)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    ws = book.create_sheet(title=sheet[:31])

    def cells(values: Sequence[Any]) -> list[Any]:
        out = []
        for v in values:
            cell = WriteOnlyCell(ws, value=xlsx_value(v))
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text, never a formula
            out.append(cell)
        return out

    ws.append(cells([str(h) for h in header]))
    for row in rows:
        ws.append(cells(row))
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


def export_response(
    fmt: Format, *, filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> HttpResponse | StreamingHttpResponse:
    """The list as `fmt`: `filename` is given without its extension."""
    if fmt == "xlsx":
        return xlsx_response(filename=f"{filename}.xlsx", header=header, rows=rows)
    return csv_response(filename=f"{filename}.csv", header=header, rows=rows)
