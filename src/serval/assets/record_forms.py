"""The asset and contract forms: they only shape input for `serval.assets.actions`.

References are offered among what the agent may see — CIs (in a `<datalist>`, typed as
"name #id" or a unique name), people (by username), assets a contract may cover — and resolved
here through the same querysets the API uses; the action checks each again (tenant, 1:1 CI link,
stage and status, unique tag and serial) and its field errors are put back on the form.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from serval.assets.models import Asset, AssetKind, Contract, ContractType
from serval.assets.querysets import assets_visible_to
from serval.cmdb.models import CI, LIFECYCLE_STATUSES, LifecycleStage
from serval.cmdb.querysets import cis_visible_to
from serval.core.errors import ValidationFailed
from serval.core.models import Tenant
from serval.core.tenancy import reach
from serval.people.models import User
from serval.people.querysets import users_visible_to

MAX_CHOICES = 500
TEXT_LIMITS = {
    "asset_tag": 100,
    "serial": 100,
    "model": 200,
    "manufacturer": 200,
    "vendor": 200,
    "cost_centre": 100,
    "purchase_order": 100,
    "location": 200,
}
CI_KEY = re.compile(r"#(\d{1,18})\s*$")


def status_label(value: str) -> str:
    return value.replace("_", " ").capitalize()


def status_choices(stage: str) -> list[tuple[str, str]]:
    """The statuses of one lifecycle stage (DOMAIN.md §2.8), the only ones it accepts."""
    return [(s, status_label(s)) for s in LIFECYCLE_STATUSES.get(stage, ())]


def ci_label(pk: int, name: str) -> str:
    return f"{name} #{pk}"


def _date(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def _tenant_field(user: User) -> forms.TypedChoiceField | None:
    """A tenant choice for a new record, when the agent works in more than one tenant."""
    ids = reach(user)
    if len(ids) < 2:
        return None
    field = forms.TypedChoiceField(label=_l("Tenant"), coerce=int)
    field.choices = list(
        Tenant.objects.filter(pk__in=ids).order_by("name").values_list("pk", "name")
    )
    field.initial = user.tenant_id
    return field


class AssetForm(forms.Form):
    name = forms.CharField(label=_l("Name"), max_length=200)
    kind = forms.ChoiceField(label=_l("Kind"), choices=AssetKind.choices)
    asset_tag = forms.CharField(label=_l("Asset tag"), required=False, max_length=100)
    serial = forms.CharField(label=_l("Serial number"), required=False, max_length=100)
    manufacturer = forms.CharField(label=_l("Manufacturer"), required=False, max_length=200)
    model = forms.CharField(label=_l("Model"), required=False, max_length=200)
    vendor = forms.CharField(label=_l("Vendor"), required=False, max_length=200)
    lifecycle_stage = forms.ChoiceField(label=_l("Lifecycle stage"), choices=LifecycleStage.choices)
    # Plain text behind a select: the action decides whether the status belongs to the stage.
    lifecycle_status = forms.CharField(
        label=_l("Lifecycle status"),
        widget=forms.Select,
        help_text=_l("Follows the stage; a status of another stage is refused."),
    )
    ci = forms.CharField(
        label=_l("Configuration item"),
        required=False,
        max_length=220,
        widget=forms.TextInput(attrs={"list": "ci-options", "autocomplete": "off"}),
        help_text=_l("Pick from the list or type “name #id”; empty for none."),
    )
    assigned_to = forms.CharField(
        label=_l("Assigned to"),
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"list": "people-options", "autocomplete": "off"}),
        help_text=_l("A username; empty for nobody."),
    )
    location = forms.CharField(
        label=_l("Location"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"list": "location-options"}),
    )
    cost_centre = forms.CharField(label=_l("Cost centre"), required=False, max_length=100)
    cost = forms.DecimalField(label=_l("Cost"), required=False, min_value=0, decimal_places=2)
    purchase_order = forms.CharField(label=_l("Purchase order"), required=False, max_length=100)
    purchase_date = _date(_l("Purchase date"))
    warranty_end = _date(_l("Warranty end"))
    lease_end = _date(_l("Lease end"))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, data: Any = None, *, user: User, asset: Asset | None = None) -> None:
        initial: dict[str, Any] = {"lifecycle_stage": LifecycleStage.INVENTORY}
        if asset is not None:
            initial = {name: getattr(asset, name) for name in (*TEXT_LIMITS, "name", "kind")}
            initial.update(
                lifecycle_stage=asset.lifecycle_stage,
                lifecycle_status=asset.lifecycle_status,
                ci=ci_label(asset.ci.pk, asset.ci.name) if asset.ci else "",
                assigned_to=asset.assigned_to.username if asset.assigned_to else "",
                cost=asset.cost,
                purchase_date=asset.purchase_date,
                warranty_end=asset.warranty_end,
                lease_end=asset.lease_end,
                version=asset.version,
            )
        super().__init__(data, initial=initial)
        self.user = user
        self.asset = asset
        if asset is None and (tenant := _tenant_field(user)) is not None:
            self.fields = {"tenant": tenant, **self.fields}
        stage_field = self.fields["lifecycle_stage"]
        stage_field.widget.attrs.update(
            {
                "hx-get": reverse("assets-lifecycle-statuses"),
                "hx-target": "#id_lifecycle_status",
                "hx-swap": "innerHTML",
                "hx-trigger": "change",
            }
        )
        self.fields["lifecycle_status"].widget.choices = status_choices(self.chosen_stage())

    def chosen_stage(self) -> str:
        """The stage the status choices follow: the one submitted, else the record's."""
        stage = self.data.get("lifecycle_stage") if self.is_bound else None
        if stage not in LifecycleStage.values:
            stage = self.asset.lifecycle_stage if self.asset else LifecycleStage.INVENTORY
        return str(stage)

    def options(self) -> dict[str, list[Any]]:
        """What the datalists offer: CIs without an asset (or this one's), people, locations."""
        tenants = [self.asset.tenant_id] if self.asset else sorted(reach(self.user))
        cis = cis_visible_to(self.user).filter(tenant_id__in=tenants)
        free = Q(asset__isnull=True)
        if self.asset is not None and self.asset.ci_id:
            free |= Q(pk=self.asset.ci_id)
        people = users_visible_to(self.user).filter(is_active=True)
        locations = (
            assets_visible_to(self.user)
            .exclude(location="")
            .order_by("location")
            .values_list("location", flat=True)
            .distinct()
        )
        return {
            "cis": [
                ci_label(pk, name)
                for pk, name in cis.filter(free)
                .order_by("name", "pk")
                .values_list("pk", "name")[:MAX_CHOICES]
            ],
            "people": list(
                people.order_by("username").values_list("username", "first_name", "last_name")[
                    :MAX_CHOICES
                ]
            ),
            "locations": list(locations[:MAX_CHOICES]),
        }

    def _ci(self, text: str) -> CI | None:
        if not text:
            return None
        visible = cis_visible_to(self.user)
        key = CI_KEY.search(text)
        if key:
            found = visible.filter(pk=int(key.group(1))).first()
        else:
            named = list(visible.filter(name=text)[:2])
            if len(named) > 1:
                raise ValidationFailed(
                    {"ci": _("Several CIs are called this; pick one from the list.")}
                )
            found = named[0] if named else None
        if found is None:
            raise ValidationFailed({"ci": _("Unknown configuration item.")})
        return found

    def _person(self, username: str) -> User | None:
        if not username:
            return None
        found = users_visible_to(self.user).filter(username=username).first()
        if found is None:
            raise ValidationFailed({"assigned_to": _("Unknown user.")})
        return found

    def action_values(self) -> dict[str, Any]:
        """Cleaned values with references turned into the records the action links."""
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data.pop("tenant", None)
        errors: dict[str, str] = {}
        for name, resolve in (("ci", self._ci), ("assigned_to", self._person)):
            try:
                data[name] = resolve(data.get(name) or "")
            except ValidationFailed as exc:
                errors.update(exc.as_dict())
        if errors:
            raise ValidationFailed(errors)
        return data

    def chosen_tenant(self) -> Tenant | None:
        pk = self.cleaned_data.get("tenant")
        return Tenant.objects.filter(pk=pk).first() if pk else None


class ContractForm(forms.Form):
    name = forms.CharField(label=_l("Name or reference"), max_length=200)
    type = forms.ChoiceField(label=_l("Type"), choices=ContractType.choices)
    vendor = forms.CharField(label=_l("Vendor"), max_length=200)
    start_date = _date(_l("Start"))
    end_date = _date(_l("End"))
    renewal_notice_days = forms.IntegerField(
        label=_l("Renewal notice (days)"),
        min_value=0,
        max_value=3650,
        initial=30,
        help_text=_l("Notice must be given this many days before the end."),
    )
    cost = forms.DecimalField(label=_l("Cost"), required=False, min_value=0, decimal_places=2)
    covered_assets = forms.TypedMultipleChoiceField(
        label=_l("Covered assets"), required=False, coerce=int
    )
    description = forms.CharField(
        label=_l("Service terms and notes"), required=False, max_length=20000, widget=forms.Textarea
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, data: Any = None, *, user: User, contract: Contract | None = None) -> None:
        initial: dict[str, Any] = {}
        covered: list[int] = []
        if contract is not None:
            covered = [a.pk for a in contract.covered_assets.all()]
            initial = {
                "name": contract.name,
                "type": contract.type,
                "vendor": contract.vendor,
                "start_date": contract.start_date,
                "end_date": contract.end_date,
                "renewal_notice_days": contract.renewal_notice_days,
                "cost": contract.cost,
                "covered_assets": covered,
                "description": contract.description,
                "version": contract.version,
            }
        super().__init__(data, initial=initial)
        self.user = user
        self.contract = contract
        if contract is None and (tenant := _tenant_field(user)) is not None:
            self.fields = {"tenant": tenant, **self.fields}
        assets = assets_visible_to(user)
        if contract is not None:
            assets = assets.filter(tenant_id=contract.tenant_id)
        rows = list(
            assets.filter(
                Q(pk__in=covered)
                | Q(pk__in=assets.order_by("name", "pk").values("pk")[:MAX_CHOICES])
            )
            .order_by("name", "pk")
            .values_list("pk", "name", "asset_tag")
        )
        field: Any = self.fields["covered_assets"]
        field.choices = [(pk, f"{name} ({tag})" if tag else name) for pk, name, tag in rows]

    def action_values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data.pop("tenant", None)
        ids = set(data.get("covered_assets") or [])
        found = list(assets_visible_to(self.user).filter(pk__in=ids))
        if len(found) != len(ids):
            raise ValidationFailed({"covered_assets": _("Unknown asset.")})
        data["covered_assets"] = found
        return data

    def chosen_tenant(self) -> Tenant | None:
        pk = self.cleaned_data.get("tenant")
        return Tenant.objects.filter(pk=pk).first() if pk else None
