"""Importing assets from a file."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import File, Form
from ninja.files import UploadedFile

from serval.api.auth import actor
from serval.api.imports import ImportOut, import_out, read_upload
from serval.api.schemas import problems
from serval.assets import imports
from serval.assets.api._router import router

# --- import -----------------------------------------------------------------------------------


@router.post("/import", response={200: ImportOut, **problems(403, 413)})
def import_assets(
    request: HttpRequest, file: File[UploadedFile], dry_run: Form[bool] = True
) -> dict[str, Any]:
    """Create or update assets from CSV or XLSX (columns: name, kind, asset_tag, serial, …, ci,
    assigned_to). A dry run (the default) writes nothing; a real run writes every row or — if
    any row has an error — none. A row whose tag or serial matches an asset updates it."""
    data, name = read_upload(file)
    result = imports.import_assets(actor=actor(request), data=data, dry_run=dry_run, filename=name)
    return import_out(result)
