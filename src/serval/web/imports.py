"""The one page flow of every file import: upload, dry run or import, result or errors.

Each app's import page passes its template and a `run(data, filename, dry_run)` that calls its
import (`serval.cmdb.imports`, `serval.assets.imports`, …); the template includes
`web/_file_import.html`. Permission refusals are a 404 like every page out of reach.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from serval.core.errors import NotFound, PermissionDenied, ValidationFailed
from serval.core.imports import ACCEPT, ImportResult, check_upload_size


def import_page(
    request: HttpRequest,
    *,
    template: str,
    context: dict[str, Any],
    run: Callable[[bytes, str, bool], ImportResult],
) -> HttpResponse:
    """GET shows the form; POST runs a dry run, or with `apply=1` the real import."""
    context = {"accept": ACCEPT, **context}
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise ValidationFailed({"file": _("Choose a CSV or XLSX file.")})
            check_upload_size(upload.size)
            context["result"] = run(
                upload.read(), upload.name or "", request.POST.get("apply") != "1"
            )
        except ValidationFailed as exc:
            context["errors"] = exc.errors
        except (PermissionDenied, NotFound) as exc:
            raise Http404 from exc
    return render(request, template, context)
