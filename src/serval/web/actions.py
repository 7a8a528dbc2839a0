"""Writes owned by the web app: a user's saved list views."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from django.db import transaction

from serval.core.errors import NotFound, ValidationFailed
from serval.people.models import User
from serval.web.models import SavedView

# Only list filters are kept; anything else in the query string (page, htmx noise) is dropped.
SAVED_KEYS = (
    "q",
    "state",
    "priority",
    "team",
    "assignee",
    "service",
    "impacted_service",
    "at_risk",
    "sort",
)


def clean_querystring(raw: str) -> str:
    pairs = [(k, v) for k, v in parse_qsl(raw or "", keep_blank_values=False) if k in SAVED_KEYS]
    return urlencode(pairs)[:1000]


def save_view(*, actor: User, name: str, querystring: str) -> SavedView:
    """Keep the current list filters under a name; saving an existing name replaces its filters."""
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise ValidationFailed({"name": "1 to 80 characters."})
    with transaction.atomic():
        view, _created = SavedView.objects.update_or_create(
            user=actor,
            name=name,
            defaults={"querystring": clean_querystring(querystring), "tenant_id": actor.tenant_id},
        )
    return view


def delete_view(*, actor: User, view_id: int) -> None:
    """Remove one of the actor's own saved views; anyone else's is simply not found."""
    deleted, _ = SavedView.objects.filter(user=actor, pk=view_id).delete()
    if not deleted:
        raise NotFound()
