"""Keyset pagination with opaque, signed cursors and a `next` link (DESIGN.md §4, STYLE rule 10).

The cursor holds the last row's sort value and id, so each page is one indexed range query
however deep the client goes, and rows added meanwhile never shift a page. It is signed so a
client cannot hand-craft one; a bad cursor is a 422 on the `cursor` field.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.core import signing
from django.db.models import F, Model, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from serval.core.errors import ValidationFailed

SALT = "serval.api.cursor"
DEFAULT_LIMIT = 50
MAX_LIMIT = 200


def _bad_cursor() -> ValidationFailed:
    return ValidationFailed({"cursor": _("Invalid or expired cursor; start from the first page.")})


def _sort_field(model: type[Model], path: str) -> Any:
    """The model field behind `path`, following relations ("change__planned_start")."""
    *hops, name = path.split("__")
    for hop in hops:
        model = model._meta.get_field(hop).related_model  # type: ignore[assignment]
    return model._meta.get_field(name)


def _value_of(row: Any, path: str) -> Any:
    if isinstance(row, dict):
        return row[path]
    value = row
    for hop in path.split("__"):
        value = getattr(value, hop, None)
        if value is None:
            return None
    return value


def page[M: Model, R](
    request: HttpRequest,
    qs: QuerySet[M, R],
    *,
    ordering: str,
    limit: int,
    cursor: str | None,
    fetch: Callable[[Any, int], list[Any]] | None = None,
) -> tuple[list[R], str | None]:
    """One page of `qs` ordered by `ordering` then id, and the URL of the next page or None.

    `qs` may be a `.values()` queryset (rows are dicts holding `id` and the ordering field),
    so hot lists can skip building model instances. The ordering may follow a relation
    ("change__planned_start"); a nullable sort field puts empty values last in both
    directions, on SQLite and PostgreSQL alike, and pages through them by id.

    `fetch(qs, n)`, when given, reads the first n rows instead of `list(qs[:n])` (a hot list's
    own reader, `serval.incidents.api_rows.fetch`); it must return the same rows.
    """
    field = ordering.lstrip("-")
    desc = ordering.startswith("-")
    model_field = _sort_field(qs.model, field)
    nullable = bool(getattr(model_field, "null", False))
    if nullable:
        key = F(field).desc(nulls_last=True) if desc else F(field).asc(nulls_last=True)
        qs = qs.order_by(key, "-pk" if desc else "pk")
    else:
        qs = qs.order_by(ordering, "-pk" if desc else "pk")
    if cursor:
        try:
            data = signing.loads(cursor, salt=SALT)
            if not isinstance(data, dict) or data.get("o") != ordering:
                raise _bad_cursor()
            raw = data["v"]
            value = None if raw is None else model_field.to_python(raw)
            last_id = int(data["i"])
        except ValidationFailed:
            raise
        except Exception as exc:
            raise _bad_cursor() from exc
        op = "lt" if desc else "gt"
        if value is None:
            if not nullable:
                raise _bad_cursor()
            qs = qs.filter(**{f"{field}__isnull": True, f"pk__{op}": last_id})
        else:
            after = Q(**{f"{field}__{op}": value}) | Q(**{field: value, f"pk__{op}": last_id})
            if nullable:
                after |= Q(**{f"{field}__isnull": True})
            qs = qs.filter(after)
    rows = fetch(qs, limit + 1) if fetch else list(qs[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last: Any = rows[-1]
    value = _value_of(last, field)
    last_pk = last["id"] if isinstance(last, dict) else last.pk
    if hasattr(value, "isoformat"):
        value = value.isoformat()
    token = signing.dumps({"o": ordering, "v": value, "i": last_pk}, salt=SALT, compress=True)
    return rows, next_url(request, token)


def next_url(request: HttpRequest, cursor: str) -> str:
    params = request.GET.copy()
    params["cursor"] = cursor
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


def parse_csv(value: str | None, allowed: Sequence[Any], *, field: str) -> list[str]:
    """`state=new,in_progress` → ["new", "in_progress"], refusing anything not in `allowed`."""
    if not value:
        return []
    items = [v.strip() for v in value.split(",") if v.strip()]
    wrong = [v for v in items if v not in allowed]
    if wrong:
        raise ValidationFailed({field: _("Unknown value: %s.") % ", ".join(wrong[:5])})
    return items
