"""Forms of the software catalogue and licence pages: they only shape input for
`serval.assets.software`.

The product, version and licence forms carry the record's version number in a hidden field so
that a stale edit is refused by the action (`expected_version`). Choices offer what the user can
see (products, people within reach); the action checks each again, and its field errors are put
back on the form.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from serval.assets.models import (
    DatesSource,
    Licence,
    LicenceMetric,
    SoftwareProduct,
    SoftwareVersion,
)
from serval.assets.querysets import products_visible_to
from serval.people.models import User
from serval.people.querysets import users_visible_to

MAX_CHOICES = 500


def _day(label: Any, help_text: Any = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class ProductForm(forms.Form):
    vendor = forms.CharField(label=_("Vendor"), max_length=200)
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=20000, widget=forms.Textarea
    )
    shared = forms.BooleanField(
        label=_("Shared with sub-tenants"),
        required=False,
        help_text=_("Sub-tenants may install and license a shared product."),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, data: Any = None, *, product: SoftwareProduct | None = None) -> None:
        initial: dict[str, Any] = {}
        if product is not None:
            initial = {
                "vendor": product.vendor,
                "name": product.name,
                "description": product.description,
                "shared": product.shared,
                "version": product.version,
            }
        super().__init__(data, initial=initial)

    def action_values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        return data


class VersionForm(forms.Form):
    version = forms.CharField(label=_("Version"), max_length=100)
    ga_date = _day(_("General availability"))
    end_of_support = _day(_("End of support"), _("Not before general availability."))
    end_of_extended_support = _day(
        _("End of extended support"), _("Not before the end of support.")
    )
    end_of_life = _day(_("End of life"), _("Not before general availability or end of support."))
    dates_source = forms.ChoiceField(
        label=_("Dates source"),
        choices=DatesSource.choices,
        initial=DatesSource.CUSTOM,
        help_text=_("Where the dates come from; custom dates win over the others."),
    )
    # `version` is the version string: the record's own counter travels as `row_version`.
    row_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(
        self, data: Any = None, *, software_version: SoftwareVersion | None = None
    ) -> None:
        initial: dict[str, Any] = {}
        if software_version is not None:
            v = software_version
            initial = {
                "version": v.version,
                "ga_date": v.ga_date,
                "end_of_support": v.end_of_support,
                "end_of_extended_support": v.end_of_extended_support,
                "end_of_life": v.end_of_life,
                "dates_source": v.dates_source,
                "row_version": v.row_version,
            }
        super().__init__(data, initial=initial)

    def action_values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("row_version", None)
        return data


class LicenceForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        help_text=_("How the licence is known: the agreement or order reference."),
    )
    product = forms.TypedChoiceField(label=_("Product"), coerce=int)
    metric = forms.ChoiceField(label=_("Metric"), choices=LicenceMetric.choices)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=0, max_value=2_000_000_000)
    term_start = _day(_("Term start"))
    term_end = _day(_("Term end"), _("Not before the term start; empty when perpetual."))
    cost = forms.DecimalField(label=_("Cost"), required=False, min_value=0, decimal_places=2)
    assigned_users = forms.TypedMultipleChoiceField(
        label=_("Assigned users"),
        required=False,
        coerce=int,
        help_text=_("Consumption of a per-user licence."),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, data: Any = None, *, user: User, licence: Licence | None = None) -> None:
        initial: dict[str, Any] = {"metric": LicenceMetric.DEVICE, "quantity": 1}
        if licence is not None:
            initial = {
                "name": licence.name,
                "product": licence.product_id,
                "metric": licence.metric,
                "quantity": licence.quantity,
                "term_start": licence.term_start,
                "term_end": licence.term_end,
                "cost": licence.cost,
                "assigned_users": [u.pk for u in licence.assigned_users.all()],
                "version": licence.version,
            }
        super().__init__(data, initial=initial)
        products = products_visible_to(user).order_by("vendor", "name", "pk")[:MAX_CHOICES]
        people = users_visible_to(user).filter(is_active=True).order_by("username")[:MAX_CHOICES]
        product_field: Any = self.fields["product"]
        product_field.choices = [("", "—")] + [(p.pk, f"{p.vendor} {p.name}") for p in products]
        users_field: Any = self.fields["assigned_users"]
        users_field.choices = [(u.pk, u.display_name) for u in people]

    def action_values(self, user: User) -> dict[str, Any]:
        """Cleaned values with ids turned into the records the action links."""
        data = dict(self.cleaned_data)
        data.pop("version", None)
        # Gone meanwhile: None, which the action refuses as an unknown product.
        data["product"] = (
            products_visible_to(user).select_related("tenant").filter(pk=data["product"]).first()
        )
        data["assigned_users"] = list(
            users_visible_to(user).filter(pk__in=data.get("assigned_users") or [])
        )
        return data
