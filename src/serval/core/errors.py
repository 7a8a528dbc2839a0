"""Domain errors raised by actions; each interface turns them into its own shape.

The API renders them as RFC 9457 problem+json, forms as field messages, the CLI as text. Keeping
them free of HTTP lets the same action serve all three.
"""

from __future__ import annotations

from collections.abc import Iterable


class DomainError(Exception):
    status = 400
    title = "Bad request"

    def __init__(self, detail: str = "", **extra: object) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.extra = extra


class ValidationFailed(DomainError):
    """One or more fields are wrong; `errors` names each field so forms and clients point at it."""

    status = 422
    title = "Validation failed"

    def __init__(
        self, errors: dict[str, str] | Iterable[tuple[str, str]], detail: str = ""
    ) -> None:
        pairs = list(errors.items()) if isinstance(errors, dict) else list(errors)
        self.errors = [{"field": f, "message": m} for f, m in pairs]
        super().__init__(detail or "; ".join(f"{f}: {m}" for f, m in pairs))

    def as_dict(self) -> dict[str, str]:
        return {e["field"]: e["message"] for e in self.errors}


class NotFound(DomainError):
    """An object that does not exist *or* is out of the caller's reach (never a 403 for those)."""

    status = 404
    title = "Not found"


class PermissionDenied(DomainError):
    status = 403
    title = "Forbidden"


class TransitionNotAllowed(DomainError):
    status = 409
    title = "Transition not allowed"

    def __init__(self, detail: str, allowed: list[str]) -> None:
        super().__init__(detail, allowed=allowed)
        self.allowed = allowed


class StaleVersion(DomainError):
    """The client edited a version that has changed since it read it."""

    status = 412
    title = "Precondition failed"

    def __init__(self, current: int) -> None:
        super().__init__(
            f"The record changed since you loaded it (now version {current}); reload and retry.",
            current_version=current,
        )
        self.current = current


def check_version(expected: int | None, current: int) -> None:
    """Refuse a write based on a version other than the current one (no silent overwrite).

    `expected` is what the client saw (If-Match, a form's hidden field); None means it sent none.
    """
    if expected is not None and expected != current:
        raise StaleVersion(current)
