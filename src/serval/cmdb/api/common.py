"""Look-ups the CMDB API modules share."""

from __future__ import annotations

from django.utils.translation import gettext as _

from serval.core.errors import ValidationFailed
from serval.core.models import Tenant
from serval.core.tenancy import reach
from serval.people.models import User


def tenant_by_slug(user: User, slug: str | None) -> Tenant | None:
    if slug is None:
        return None
    tenant = Tenant.objects.filter(pk__in=reach(user), slug=slug).first()
    if tenant is None:
        raise ValidationFailed({"tenant": _("Unknown tenant.")})
    return tenant
