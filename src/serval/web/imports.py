"""The one page flow of every file import: upload, dry run or import, result or errors.

Each app's import page passes its template and a `run(data, filename, dry_run)` that calls its
import (`serval.cmdb.imports`, `serval.assets.imports`, …); the template includes
`web/_file_import.html`. Permission refusals are a 404 like every page out of reach.

A dry run that finds no errors keeps the checked file (`StagedUpload`) and the page offers
"Import this file": browsers clear a file field after submitting, so without it the user would
have to pick the same file again — and might pick another one than the one checked. The real
import then runs on exactly the bytes that were checked, once; a stale or foreign token is a
form error asking for the file again.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from serval.core.errors import NotFound, PermissionDenied, ValidationFailed
from serval.core.imports import ACCEPT, ImportResult, check_upload_size
from serval.people.models import User
from serval.web.models import StagedUpload

STAGED_FOR = timedelta(hours=1)


def _stage(request: HttpRequest, data: bytes, filename: str) -> str:
    StagedUpload.objects.filter(created_at__lt=timezone.now() - STAGED_FOR).delete()
    token = secrets.token_urlsafe(32)
    user: User = request.user  # type: ignore[assignment]
    StagedUpload.objects.create(
        token=token, user=user, page=request.path, filename=filename, content=data
    )
    return token


def _staged(request: HttpRequest, token: str) -> StagedUpload:
    user: User = request.user  # type: ignore[assignment]
    found = StagedUpload.objects.filter(
        token=token[:43],
        user=user,
        page=request.path,
        created_at__gte=timezone.now() - STAGED_FOR,
    ).first()
    if found is None:
        raise ValidationFailed(
            {"file": _("The checked file is no longer kept; choose it again and check it.")}
        )
    return found


def import_page(
    request: HttpRequest,
    *,
    template: str,
    context: dict[str, Any],
    run: Callable[[bytes, str, bool], ImportResult],
) -> HttpResponse:
    """GET shows the form; POST runs a dry run, or with `apply=1` the real import (of a new
    upload, or of the file a dry run checked, named by `staged`)."""
    context = {"accept": ACCEPT, **context}
    if request.method == "POST":
        upload = request.FILES.get("file")
        dry_run = request.POST.get("apply") != "1"
        token = request.POST.get("staged", "")
        try:
            staged = None
            if upload is not None:
                check_upload_size(upload.size)
                data, filename = upload.read(), upload.name or ""
            elif token and not dry_run:
                staged = _staged(request, token)
                data, filename = bytes(staged.content), staged.filename
            else:
                raise ValidationFailed({"file": _("Choose a CSV or XLSX file.")})
            result = run(data, filename, dry_run)
            context["result"] = result
            if dry_run and result.ok:
                context["staged"] = _stage(request, data, filename)
                context["staged_name"] = filename
            elif staged is not None and result.ok:
                staged.delete()  # imported: the same check cannot be applied twice
        except ValidationFailed as exc:
            context["errors"] = exc.errors
        except (PermissionDenied, NotFound) as exc:
            raise Http404 from exc
    return render(request, template, context)
