"""The background-work page: pending, running, failed and finished tasks, with a retry button.

For the operators of the instance — administrators of the root tenant — since the queue is
shared by every tenant; anyone else gets a 404 (SECURITY-REFERENCE A: out-of-reach pages do not
exist). Reads django-tasks-db's `DBTaskResult` rows directly; the only write, "retry", goes
through `serval.background.retry.retry_now`.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_tasks_db.models import DBTaskResult

from serval.background.models import RetriedRun, TaskRetry
from serval.core.errors import ValidationFailed

PER_PAGE = 50
STATUSES = [
    ("READY", gettext_lazy("Pending")),
    ("RUNNING", gettext_lazy("Running")),
    ("FAILED", gettext_lazy("Failed")),
    ("SUCCESSFUL", gettext_lazy("Finished")),
]


def _require_operator(request: HttpRequest) -> None:
    user = request.user
    if not (
        user.is_authenticated
        and user.is_active
        and getattr(user, "is_admin", False)
        and user.tenant.parent_id is None  # type: ignore[union-attr]
    ):
        raise Http404()


def _error_line(traceback: str) -> str:
    lines = [line for line in traceback.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


def task_list(request: HttpRequest) -> HttpResponse:
    """Tasks newest first, filtered by status and task name, fifty to a page."""
    _require_operator(request)
    status = request.GET.get("status", "")
    name = request.GET.get("task", "").strip()[:200]
    qs = DBTaskResult.objects.order_by("-enqueued_at")
    if status in dict(STATUSES):
        qs = qs.filter(status=status)
    else:
        status = ""
    if name:
        qs = qs.filter(task_path__icontains=name)
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    ids = [r.pk for r in rows]
    chains = {c.latest: c for c in TaskRetry.objects.filter(latest__in=ids)}
    originals = {c.original: c for c in TaskRetry.objects.filter(original__in=ids)}
    retried = set(RetriedRun.objects.filter(run__in=ids).values_list("run", flat=True))
    for row in rows:
        chain = chains.get(row.pk) or originals.get(row.pk)
        row.chain = chain  # type: ignore[attr-defined]
        row.error = _error_line(row.traceback) if row.status == "FAILED" else ""  # type: ignore[attr-defined]
        row.retryable = row.status == "FAILED" and row.pk not in retried  # type: ignore[attr-defined]
        row.args_text = _args_text(row.args_kwargs)  # type: ignore[attr-defined]
    counts = {key: DBTaskResult.objects.filter(status=key).count() for key, _label in STATUSES}
    keep = urlencode({k: v for k, v in (("status", status), ("task", name)) if v})
    return render(
        request,
        "core/tasks_admin.html",
        {
            "page": page,
            "rows": rows,
            "status": status,
            "task_name": name,
            "statuses": [(k, label, counts[k]) for k, label in STATUSES],
            "keep": keep,
        },
    )


def _args_text(args_kwargs: Any) -> str:
    args_kwargs = args_kwargs or {}
    parts = [repr(a) for a in args_kwargs.get("args", [])]
    parts += [f"{k}={v!r}" for k, v in (args_kwargs.get("kwargs") or {}).items()]
    text = ", ".join(parts)
    return text if len(text) <= 200 else text[:199] + "…"


@require_POST
def task_retry(request: HttpRequest, task_id: uuid.UUID) -> HttpResponse:
    """Re-enqueue a failed task with the same arguments (POST with CSRF; operators only)."""
    _require_operator(request)
    if not DBTaskResult.objects.filter(pk=task_id).exists():
        raise Http404()
    try:
        from serval.background.retry import retry_now

        result = retry_now(task_id)
    except ValidationFailed as exc:
        messages.error(request, " ".join(str(m) for m in exc.as_dict().values()))
    else:
        messages.success(request, _("Enqueued again as %(id)s.") % {"id": result.id})
    back = request.POST.get("next", "")
    target = reverse("tasks-admin")
    if back.startswith("?") and "\n" not in back and "\r" not in back:
        target += back
    return redirect(target)


urlpatterns = [
    path("", task_list, name="tasks-admin"),
    path("<uuid:task_id>/retry/", task_retry, name="tasks-admin-retry"),
]
