"""Helpers the asset API modules share: tenants, references, linked-record look-ups."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from serval.assets.models import (
    SoftwareProduct,
    SoftwareVersion,
)
from serval.core.errors import ValidationFailed
from serval.core.models import Tenant
from serval.core.tenancy import reach
from serval.people.models import User

# --- helpers ----------------------------------------------------------------------------------


def tenant_by_slug(user: User, slug: str | None) -> Tenant | None:
    if slug is None:
        return None
    tenant = Tenant.objects.filter(pk__in=reach(user), slug=slug).first()
    if tenant is None:
        raise ValidationFailed({"tenant": _("Unknown tenant.")})
    return tenant


def ref(obj: Any) -> dict[str, Any] | None:
    return None if obj is None else {"id": obj.pk, "name": obj.name}


def product_ref(p: SoftwareProduct) -> dict[str, Any]:
    return {"id": p.pk, "vendor": p.vendor, "name": p.name}


def located(request: HttpRequest, response: HttpResponse, pk: int) -> None:
    response["Location"] = request.build_absolute_uri(f"{request.path.rstrip('/')}/{pk}")


def one_of(qs: QuerySet[Any], pk: int, field: str, message: str) -> Any:
    found = qs.filter(pk=pk).first()
    if found is None:
        raise ValidationFailed({field: message})
    return found


def many_of(qs: QuerySet[Any], ids: list[int], field: str, message: str) -> list[Any]:
    found = list(qs.filter(pk__in=set(ids)))
    if len(found) != len(set(ids)):
        raise ValidationFailed({field: message})
    return found


def version_out(v: SoftwareVersion) -> dict[str, Any]:
    return {
        "id": v.pk,
        "product": product_ref(v.product),
        "version": v.version,
        "ga_date": v.ga_date,
        "end_of_support": v.end_of_support,
        "end_of_extended_support": v.end_of_extended_support,
        "end_of_life": v.end_of_life,
        "dates_source": v.dates_source,
        "row_version": v.row_version,
    }
