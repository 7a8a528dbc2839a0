"""Liveness with a database round trip, for load balancers and `make bench`."""

from __future__ import annotations

import time

from django.db import connection
from django.http import HttpRequest, JsonResponse

from serval import __version__


def healthz(request: HttpRequest) -> JsonResponse:
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        db = "ok"
    except Exception:
        db = "error"
    body = {
        "status": "ok" if db == "ok" else "error",
        "database": db,
        "vendor": connection.vendor,
        "version": __version__,
        "db_ms": round((time.perf_counter() - started) * 1000, 2),
    }
    return JsonResponse(body, status=200 if db == "ok" else 503)
