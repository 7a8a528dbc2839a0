"""ETag / If-Match for optimistic concurrency (DESIGN.md rule 6).

An ETag is `"<id>-<version>"`. A client sends it back in `If-Match`; the version inside is
handed to the action, which compares it under the row lock, so a stale write is a 412 and never
a silent overwrite. Without `If-Match` the write goes through (last writer wins, by choice).
"""

from __future__ import annotations

import re

from django.http import HttpRequest

from serval.core.errors import StaleVersion

_ETAG = re.compile(r'\s*(?:W/)?"(\d{1,19})-(\d{1,19})"\s*')


def etag(pk: int, version: int) -> str:
    return f'"{pk}-{version}"'


def expected_version(request: HttpRequest, *, pk: int, current: int) -> int | None:
    """The version named by `If-Match` for this object; a tag for anything else is stale."""
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return None
    for part in header.split(","):
        match = _ETAG.fullmatch(part)
        if match and int(match.group(1)) == pk:
            return int(match.group(2))
    raise StaleVersion(current)
