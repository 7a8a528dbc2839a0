"""The shape every file import of the API answers with, and its upload check.

Imports themselves are the apps' (`serval.cmdb.imports`, `serval.assets.imports`) on top of
`serval.core.imports`; endpoints take a multipart `file` (CSV or XLSX, at most 2 MB) and
`dry_run` (default true) and return `ImportOut`.
"""

from __future__ import annotations

from typing import Any

from ninja import Schema
from ninja.files import UploadedFile

from serval.core.imports import ImportResult, check_upload_size


class ImportErrorOut(Schema):
    row: int
    field: str
    message: str


class ImportOut(Schema):
    dry_run: bool
    ok: bool
    rows: int
    created: int
    updated: int
    unchanged: int
    errors: list[ImportErrorOut]


def read_upload(file: UploadedFile) -> tuple[bytes, str]:
    """The upload's bytes and name, refused before reading when it is over the limit."""
    check_upload_size(file.size)
    return file.read(), file.name or ""


def import_out(result: ImportResult) -> dict[str, Any]:
    return {
        "dry_run": result.dry_run,
        "ok": result.ok,
        "rows": result.rows,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "errors": [e.__dict__ for e in result.errors],
    }
