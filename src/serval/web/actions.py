"""Writes owned by the web app: a user's saved list views."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from django.db import transaction

from serval.core.errors import NotFound, ValidationFailed
from serval.people.models import User
from serval.web.models import SavedList, SavedView


def _saved_keys(list_name: str) -> tuple[str, ...]:
    """A view keeps only its list's own filters, the fields of that list's filter form, so it
    cannot carry page numbers, htmx noise or another list's filters. Imported here because the
    practice apps' forms build on `serval.web`, not the other way round."""
    from serval.changes.forms import ChangeFilterForm
    from serval.incidents.forms import IncidentFilterForm

    form = ChangeFilterForm if list_name == SavedList.CHANGES else IncidentFilterForm
    return tuple(form.base_fields)


def saved_list(raw: str | None) -> str:
    """The list a posted view belongs to; an unknown value means the incident list, as before."""
    return raw if raw in SavedList.values else SavedList.INCIDENTS


def clean_querystring(raw: str, list_name: str = SavedList.INCIDENTS) -> str:
    keys = _saved_keys(saved_list(list_name))
    pairs = [(k, v) for k, v in parse_qsl(raw or "", keep_blank_values=False) if k in keys]
    return urlencode(pairs)[:1000]


def save_view(
    *, actor: User, name: str, querystring: str, list_name: str = SavedList.INCIDENTS
) -> SavedView:
    """Keep the current list filters under a name; saving an existing name replaces its filters."""
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise ValidationFailed({"name": "1 to 80 characters."})
    list_name = saved_list(list_name)
    with transaction.atomic():
        view, _created = SavedView.objects.update_or_create(
            user=actor,
            list_name=list_name,
            name=name,
            defaults={
                "querystring": clean_querystring(querystring, list_name),
                "tenant_id": actor.tenant_id,
            },
        )
    return view


def delete_view(*, actor: User, view_id: int) -> None:
    """Remove one of the actor's own saved views; anyone else's is simply not found."""
    deleted, _ = SavedView.objects.filter(user=actor, pk=view_id).delete()
    if not deleted:
        raise NotFound()
