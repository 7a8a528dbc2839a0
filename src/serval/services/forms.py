"""The service form of the portfolio pages: it only shapes input for `serval.services.actions`.

Choices are what the maintainer may link (people, teams, customer organizations, parent services
and business calendars within reach); the action checks each again, and its field errors are
put back on the form.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from serval.people.models import Role, User
from serval.people.querysets import organizations_visible_to, teams_visible_to, users_visible_to
from serval.services.models import Criticality, Service, ServiceKind, ServiceStatus
from serval.services.querysets import services_visible_to
from serval.sla.actions import calendars_visible_to

MAX_CHOICES = 500


class ServiceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=ServiceKind.choices)
    parent = forms.TypedChoiceField(
        label=_("Service (for an offering)"), required=False, coerce=int, empty_value=None
    )
    status = forms.ChoiceField(label=_("Lifecycle status"), choices=ServiceStatus.choices)
    criticality = forms.ChoiceField(label=_("Criticality"), choices=Criticality.choices)
    owner = forms.TypedChoiceField(label=_("Owner"), required=False, coerce=int, empty_value=None)
    support_team = forms.TypedChoiceField(
        label=_("Support team"), required=False, coerce=int, empty_value=None
    )
    customers = forms.TypedMultipleChoiceField(label=_("Customers"), required=False, coerce=int)
    service_hours = forms.TypedChoiceField(
        label=_("Service hours"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("A business calendar (Service levels → Calendars); empty when not stated."),
    )
    cost = forms.DecimalField(label=_("Cost"), required=False, min_value=0, decimal_places=2)
    value = forms.DecimalField(label=_("Value"), required=False, min_value=0, decimal_places=2)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=20000, widget=forms.Textarea
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, data: Any = None, *, user: User, service: Service | None = None) -> None:
        initial: dict[str, Any] = {}
        if service is not None:
            initial = {
                "name": service.name,
                "kind": service.kind,
                "parent": service.parent_id,
                "status": service.status,
                "criticality": service.criticality,
                "owner": service.owner_id,
                "support_team": service.support_team_id,
                "customers": [o.pk for o in service.customers.all()],
                "service_hours": service.service_hours_id,
                "cost": service.cost,
                "value": service.value,
                "description": service.description,
                "version": service.version,
            }
        super().__init__(data, initial=initial)
        none: list[tuple[Any, str]] = [("", "—")]
        parents = services_visible_to(user).exclude(kind=ServiceKind.OFFERING)
        if service is not None:
            parents = parents.exclude(pk=service.pk)
        people = users_visible_to(user).filter(is_active=True).exclude(role=Role.REQUESTER)
        calendars = calendars_visible_to(user).order_by("name")[:MAX_CHOICES]
        choices: dict[str, list[tuple[Any, str]]] = {
            "parent": none + list(parents.order_by("name").values_list("pk", "name")[:MAX_CHOICES]),
            "owner": none
            + [(u.pk, u.display_name) for u in people.order_by("username")[:MAX_CHOICES]],
            "support_team": none
            + list(teams_visible_to(user).order_by("name").values_list("pk", "name")[:MAX_CHOICES]),
            "customers": list(
                organizations_visible_to(user)
                .order_by("name")
                .values_list("pk", "name")[:MAX_CHOICES]
            ),
            "service_hours": none + [(c.pk, f"{c.name} ({c.time_zone})") for c in calendars],
        }
        for name, options in choices.items():
            field: Any = self.fields[name]
            field.choices = options

    def action_values(self, user: User) -> dict[str, Any]:
        """Cleaned values with ids turned into the records the action links."""
        data = dict(self.cleaned_data)
        data.pop("version", None)
        lookups: dict[str, Any] = {
            "parent": services_visible_to(user),
            "owner": users_visible_to(user),
            "support_team": teams_visible_to(user),
            "service_hours": calendars_visible_to(user),
        }
        for name, qs in lookups.items():
            data[name] = qs.filter(pk=data[name]).first() if data.get(name) else None
        data["customers"] = list(
            organizations_visible_to(user).filter(pk__in=data.get("customers") or [])
        )
        return data
