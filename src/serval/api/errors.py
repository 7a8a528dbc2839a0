"""Every API error as an RFC 9457 problem document (`application/problem+json`).

Domain errors from the actions, ninja's validation and auth errors, oversized or malformed
bodies and unknown URLs all end up here, so a client handles one error shape and bad input is
a 4xx, never a 500 (SECURITY-REFERENCE §2 C1, F1).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from serval.core.errors import DomainError, NotFound, TransitionNotAllowed, ValidationFailed

PROBLEM_CONTENT_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:serval:problem:"
logger = logging.getLogger("serval.api")

# status → (type slug, title); titles are translated when the response is built.
_BY_STATUS: dict[int, tuple[str, str]] = {
    400: ("bad-request", "Bad request"),
    401: ("unauthorized", "Authentication required"),
    403: ("forbidden", "Forbidden"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    409: ("transition-not-allowed", "Transition not allowed"),
    412: ("stale-version", "Precondition failed"),
    413: ("payload-too-large", "Request body too large"),
    422: ("validation-failed", "Validation failed"),
    429: ("too-many-requests", "Too many requests"),
    500: ("internal-error", "Internal server error"),
}


def problem(
    status: int,
    detail: str = "",
    *,
    title: str | None = None,
    slug: str | None = None,
    errors: Sequence[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> HttpResponse:
    """Build one problem+json response; `errors` carries field-level messages."""
    default_slug, default_title = _BY_STATUS.get(status, ("error", "Error"))
    title = title or _(default_title)
    body: dict[str, Any] = {
        "type": TYPE_PREFIX + (slug or default_slug),
        "title": title,
        "status": status,
        "detail": detail or title,
    }
    if errors is not None:
        body["errors"] = list(errors)
    body.update(extra)
    response = HttpResponse(
        json.dumps(body, cls=DjangoJSONEncoder),
        status=status,
        content_type=PROBLEM_CONTENT_TYPE,
    )
    for key, value in (headers or {}).items():
        response[key] = value
    return response


@contextmanager
def reference(field: str, message: str) -> Iterator[None]:
    """A body field naming a record that does not exist or is out of reach: 422 on that field
    (the 404 stays for the path's own record, so the client knows which one is missing)."""
    try:
        yield
    except NotFound as exc:
        raise ValidationFailed({field: message}) from exc


def field_path(loc: Iterable[Any]) -> str:
    """ninja's ("body", "payload", "impact") → "impact"; nested parts joined with dots."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "form", "file", "cookie"}:
        source = parts.pop(0)
        # A single body/form schema is wrapped in its parameter name; drop that wrapper.
        if source in {"body", "form"} and len(parts) > 1:
            parts.pop(0)
    return ".".join(parts) or "body"


def _message(error: dict[str, Any]) -> str:
    if error.get("type") == "extra_forbidden":
        return _("Unknown field.")
    if error.get("type") == "missing":
        return _("This field is required.")
    msg = str(error.get("msg", ""))
    return msg.removeprefix("Value error, ")


def _validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [{"field": field_path(e.get("loc", ())), "message": _message(e)} for e in exc.errors]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return problem(422, detail, errors=errors)


def _domain(request: HttpRequest, exc: DomainError) -> HttpResponse:
    if isinstance(exc, ValidationFailed):
        return problem(422, exc.detail, errors=exc.errors)
    if isinstance(exc, TransitionNotAllowed):
        return problem(409, exc.detail, allowed=exc.allowed)
    reserved = {"type", "title", "status", "detail", "errors", "headers", "slug"}
    extra: dict[str, Any] = {k: v for k, v in exc.extra.items() if k not in reserved}
    return problem(exc.status, exc.detail, **extra)


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc, AuthenticationError) or exc.status_code == 401:
        return problem(
            401,
            _("Send a valid token as 'Authorization: Bearer <token>' or sign in."),
            headers={"WWW-Authenticate": 'Bearer realm="serval"'},
        )
    if exc.status_code == 400 and "parse request body" in str(exc):
        return problem(400, _("The request body is not valid JSON."), slug="malformed-json")
    if exc.status_code == 403 and "CSRF" in str(exc):
        return problem(403, _("CSRF check failed."), slug="csrf-failed")
    return problem(exc.status_code, str(exc))


def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(404, _("Not found."))


def _suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    if isinstance(exc, RequestDataTooBig | TooManyFieldsSent):
        return problem(413, _("The request body is too large."))
    return problem(400, _("The request could not be processed."))


def _bad_body(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(400, _("The request body could not be read."))


def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API error on %s %s", request.method, request.path)
    return problem(500, _("Something went wrong on our side."))


def install(api: NinjaAPI) -> None:
    """Register the handlers; ninja looks them up by the exception's MRO."""
    api.add_exception_handler(Exception, _unexpected)  # type: ignore[arg-type]
    api.add_exception_handler(ValidationError, _validation)  # type: ignore[arg-type]
    api.add_exception_handler(DomainError, _domain)  # type: ignore[arg-type]
    api.add_exception_handler(HttpError, _http_error)  # type: ignore[arg-type]
    api.add_exception_handler(Http404, _not_found)  # type: ignore[arg-type]
    api.add_exception_handler(SuspiciousOperation, _suspicious)  # type: ignore[arg-type]
    api.add_exception_handler(MultiPartParserError, _bad_body)  # type: ignore[arg-type]
    api.add_exception_handler(UnreadablePostError, _bad_body)  # type: ignore[arg-type]
