"""Licence compliance: entitlements − consumption, per tenant, product and metric (DOMAIN.md §2.8).

A *pool* is (tenant, product, metric): every licence of a tenant for one product and one metric
adds its quantity to the pool's entitlements while its term runs (no start or end means open).
Consumption depends on the metric:

- per device: the distinct CIs of the tenant with any version of the product installed;
- per core: the sum of those CIs' `cpu_count` attribute (the server class schema), a CI with
  no recorded count consuming one core — a device always has at least one;
- per user: the distinct users assigned to any licence of the pool.

A negative position is a shortfall to buy (or reclaim); a positive one is spare. Positions for
any number of pools are computed in at most four queries, so a list of licences costs the same
however long it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, Sum
from django.db.models.fields.json import KeyTextTransform
from django.utils import timezone

from serval.assets.models import Installation, Licence, LicenceMetric

Pool = tuple[int, int, str]  # (tenant id, product id, metric)


@dataclass(frozen=True)
class Position:
    metric: str
    entitlements: int
    consumption: int

    @property
    def position(self) -> int:
        return self.entitlements - self.consumption

    @property
    def compliant(self) -> bool:
        return self.position >= 0


def _cores(value: object) -> int:
    try:
        cores = int(str(value))
    except (TypeError, ValueError):
        return 1
    return max(cores, 1)


def positions(pools: Iterable[Pool], *, today: date | None = None) -> dict[Pool, Position]:
    """The compliance position of each pool, as of `today` (the local date by default)."""
    wanted = set(pools)
    if not wanted:
        return {}
    today = today or timezone.localdate()
    tenants = {t for t, _, _ in wanted}
    products = {p for _, p, _ in wanted}
    active = (Q(term_start__isnull=True) | Q(term_start__lte=today)) & (
        Q(term_end__isnull=True) | Q(term_end__gte=today)
    )
    entitled: dict[Pool, int] = {}
    rows = (
        Licence.objects.filter(active, tenant_id__in=tenants, product_id__in=products)
        .values_list("tenant_id", "product_id", "metric")
        .annotate(total=Sum("quantity"))
        .order_by()
    )
    for tenant, product, metric, total in rows:
        entitled[(tenant, product, metric)] = int(total or 0)

    used: dict[Pool, int] = {}
    installs = Installation.objects.filter(
        tenant_id__in=tenants, software_version__product_id__in=products
    )
    if any(m == LicenceMetric.DEVICE for _, _, m in wanted):
        counted = (
            installs.values_list("tenant_id", "software_version__product_id")
            .annotate(n=Count("ci_id", distinct=True))
            .order_by()
        )
        for tenant, product, n in counted:
            used[(tenant, product, LicenceMetric.DEVICE)] = n
    if any(m == LicenceMetric.CORE for _, _, m in wanted):
        seen: set[tuple[int, int, int]] = set()
        for tenant, product, ci, cores in installs.values_list(
            "tenant_id",
            "software_version__product_id",
            "ci_id",
            KeyTextTransform("cpu_count", "ci__attributes"),
        ).order_by():
            if (tenant, product, ci) not in seen:
                seen.add((tenant, product, ci))
                key = (tenant, product, LicenceMetric.CORE.value)
                used[key] = used.get(key, 0) + _cores(cores)
    if any(m == LicenceMetric.USER for _, _, m in wanted):
        through = Licence.assigned_users.through
        users = (
            through.objects.filter(
                licence__tenant_id__in=tenants,
                licence__product_id__in=products,
                licence__metric=LicenceMetric.USER,
            )
            .values_list("licence__tenant_id", "licence__product_id")
            .annotate(n=Count("user_id", distinct=True))
            .order_by()
        )
        for tenant, product, n in users:
            used[(tenant, product, LicenceMetric.USER)] = n

    return {
        pool: Position(
            metric=pool[2], entitlements=entitled.get(pool, 0), consumption=used.get(pool, 0)
        )
        for pool in wanted
    }


def pool_of(licence: Licence) -> Pool:
    return (licence.tenant_id, licence.product_id, licence.metric)
