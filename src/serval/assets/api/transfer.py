"""Importing assets from a file."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Schema
from ninja.files import UploadedFile

from serval.api.auth import actor
from serval.api.schemas import problems
from serval.assets import imports
from serval.assets.api._router import router
from serval.core.errors import ValidationFailed
from serval.core.imports import MAX_BYTES as MAX_IMPORT_BYTES

# --- import -----------------------------------------------------------------------------------


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
    errors: list[ImportErrorOut]


@router.post("/import", response={200: ImportOut, **problems(403, 413)})
def import_assets(
    request: HttpRequest, file: File[UploadedFile], dry_run: Form[bool] = True
) -> dict[str, Any]:
    """Create or update assets from CSV (columns: name, kind, asset_tag, serial, …, ci,
    assigned_to). A dry run (the default) writes nothing; a real run writes every row or — if
    any row has an error — none. A row whose tag or serial matches an asset updates it."""
    if file.size is None or file.size > MAX_IMPORT_BYTES:
        raise ValidationFailed({"file": _("At most 2 MB.")})
    result = imports.import_assets(actor=actor(request), data=file.read(), dry_run=dry_run)
    return {
        "dry_run": result.dry_run,
        "ok": result.ok,
        "rows": result.rows,
        "created": result.created,
        "updated": result.updated,
        "errors": [e.__dict__ for e in result.errors],
    }
