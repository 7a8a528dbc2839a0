"""Who sees which asset records — decided here only (DESIGN.md rule 2).

Asset management is the agents' work: assets, installations, licences and contracts of the
tenants an agent works in. Software products (and their versions) are reference data: the
agent's tenants plus products shared down from ancestors. Requesters see none of it; anything
out of reach is NotFound, never a 403 that confirms it exists.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Model, Q, QuerySet

from serval.core.errors import NotFound
from serval.core.tenancy import reach, shared_reach

if TYPE_CHECKING:
    from serval.assets.models import (
        Asset,
        Contract,
        Installation,
        Licence,
        SoftwareProduct,
        SoftwareVersion,
    )
    from serval.people.models import User


def _is_agent(user: User) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_agent and reach(user))


def assets_visible_to(user: User) -> QuerySet[Asset]:
    from serval.assets.models import Asset

    if not _is_agent(user):
        return Asset.objects.none()
    return Asset.objects.filter(tenant_id__in=reach(user))


def products_visible_to(user: User) -> QuerySet[SoftwareProduct]:
    from serval.assets.models import SoftwareProduct

    if not _is_agent(user):
        return SoftwareProduct.objects.none()
    own = reach(user)
    inherited = shared_reach(user) - own
    return SoftwareProduct.objects.filter(
        Q(tenant_id__in=own) | Q(tenant_id__in=inherited, shared=True)
    )


def versions_visible_to(user: User) -> QuerySet[SoftwareVersion]:
    from serval.assets.models import SoftwareVersion

    if not _is_agent(user):
        return SoftwareVersion.objects.none()
    own = reach(user)
    inherited = shared_reach(user) - own
    return SoftwareVersion.objects.filter(
        Q(tenant_id__in=own) | Q(tenant_id__in=inherited, product__shared=True)
    )


def installations_visible_to(user: User) -> QuerySet[Installation]:
    from serval.assets.models import Installation

    if not _is_agent(user):
        return Installation.objects.none()
    return Installation.objects.filter(tenant_id__in=reach(user))


def licences_visible_to(user: User) -> QuerySet[Licence]:
    from serval.assets.models import Licence

    if not _is_agent(user):
        return Licence.objects.none()
    return Licence.objects.filter(tenant_id__in=reach(user))


def contracts_visible_to(user: User) -> QuerySet[Contract]:
    from serval.assets.models import Contract

    if not _is_agent(user):
        return Contract.objects.none()
    return Contract.objects.filter(tenant_id__in=reach(user))


def _one[M: Model](qs: QuerySet[M], pk: int, what: str) -> M:
    found = qs.filter(pk=pk).first()
    if found is None:
        raise NotFound(f"No such {what}.")
    return found


def access_asset(user: User, pk: int) -> Asset:
    return _one(assets_visible_to(user), pk, "asset")


def access_product(user: User, pk: int) -> SoftwareProduct:
    return _one(products_visible_to(user), pk, "software product")


def access_version(user: User, pk: int) -> SoftwareVersion:
    return _one(versions_visible_to(user).select_related("product"), pk, "software version")


def access_installation(user: User, pk: int) -> Installation:
    return _one(installations_visible_to(user), pk, "installation")


def access_licence(user: User, pk: int) -> Licence:
    return _one(licences_visible_to(user), pk, "licence")


def access_contract(user: User, pk: int) -> Contract:
    return _one(contracts_visible_to(user), pk, "contract")
