from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from serval import __version__


def serval(request: HttpRequest) -> dict[str, Any]:
    return {"serval_version": __version__}
