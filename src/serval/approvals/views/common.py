"""Helpers the approval pages share: the current user, safe `next` targets, 404s."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme

from serval.core.errors import NotFound
from serval.people.models import User

PAGE_SIZE = 25


def user_of(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def safe_next(request: HttpRequest, default: str) -> str:
    """The `next` the form carried, if it points into this site; else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def or_404(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Call an access helper; its NotFound becomes the page's 404."""
    try:
        return fn(*args, **kwargs)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


def change_page(number: str) -> str:
    """The change page once the change pages exist; the approval view of the change before."""
    try:
        return reverse("changes-detail", args=[number])
    except NoReverseMatch:
        return reverse("approvals-change", args=[number])


def require_agent(request: HttpRequest) -> User:
    user = user_of(request)
    if not user.is_agent:
        raise Http404()
    return user
