"""Reminders before dates (DOMAIN.md §2.8): warranty and lease ends of assets, the notice and
end dates of contracts, and the end of support and end of life of software versions in use.

**When.** Each date is reminded of at the horizons of `SERVAL_REMINDER_DAYS` (default 90, 30 and
7 days before): on a run, a date `d` days away is due at the smallest horizon ≥ d, and only
dates from today on count. A date first seen inside several horizons (a contract recorded a week
before its end) is reminded of once, at the nearest one.

**Once.** The periodic job (`serval.assets.tasks.SCHEDULE`, every `SERVAL_REMINDER_INTERVAL`
seconds) records a `LifecycleReminder` per (tenant, kind, record, date, horizon) and enqueues its
mail in the same transaction; the row's unique constraint makes a second run — or a second
worker — send nothing, and the mail task records each recipient (`serval.notifications.mail`),
so a retried task sends nothing twice either.

**To whom.** The owners and the members of the support teams of the CIs concerned: an asset's
CI, the CIs of the assets a contract covers, the CIs of the tenant that run a software version
(a version is reminded per tenant that runs it, so nobody hears of another tenant's estate).
When no CI names anyone, the tenant's managers. Only agents within the tenant's reach, who have
not switched "lifecycle reminder" e-mails off in their preferences.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from serval.assets.models import (
    Asset,
    Contract,
    Installation,
    LifecycleReminder,
    ReminderKind,
    SoftwareVersion,
)
from serval.cmdb.models import CI
from serval.people.models import Role, Team, User

MAX_WITHIN = 3650


def horizons() -> list[int]:
    """The configured days-before, largest first."""
    return list(getattr(settings, "REMINDER_DAYS", [90, 30, 7])) or [30]


@dataclass
class Due:
    """One date of one record, `days_left` away, and the horizon it is reminded at now."""

    kind: str
    subject_type: str
    subject_id: int
    tenant_id: int
    due_date: date
    days_left: int
    horizon: int | None  # None: further away than the largest horizon
    title: str
    url: str
    reminder: LifecycleReminder | None = None  # the one sent at `horizon`, if any

    @property
    def kind_label(self) -> str:
        return str(ReminderKind(self.kind).label)

    @property
    def key(self) -> tuple[int, str, str, int, date, int | None]:
        return (
            self.tenant_id,
            self.kind,
            self.subject_type,
            self.subject_id,
            self.due_date,
            self.horizon,
        )

    def first_reminder_on(self) -> date:
        return self.due_date - timedelta(days=max(horizons()))


def _horizon(days_left: int, options: list[int]) -> int | None:
    fitting = [h for h in options if days_left <= h]
    return min(fitting) if fitting else None


def due(
    *,
    today: date | None = None,
    tenant_ids: Iterable[int] | None = None,
    within: int | None = None,
    kinds: Iterable[str] | None = None,
) -> list[Due]:
    """Every date from `today` to `within` days ahead (default: the largest horizon), soonest
    first, for the given tenants (None: all) — a handful of indexed queries in all."""
    today = today or timezone.localdate()
    options = horizons()
    within = max(0, min(within if within is not None else max(options), MAX_WITHIN))
    last = today + timedelta(days=within)
    wanted = set(kinds or ReminderKind.values)
    scope = Q() if tenant_ids is None else Q(tenant_id__in=list(tenant_ids))
    out: list[Due] = []

    def add(
        kind: str, kind_type: str, pk: int, tenant: int, when: date, title: str, url: str
    ) -> None:
        days = (when - today).days
        if kind in wanted and 0 <= days <= within:
            out.append(
                Due(kind, kind_type, pk, tenant, when, days, _horizon(days, options), title, url)
            )

    for field, kind in (
        ("warranty_end", ReminderKind.WARRANTY_END),
        ("lease_end", ReminderKind.LEASE_END),
    ):
        if kind not in wanted:
            continue
        rows: Any = Asset.objects.filter(scope, **{f"{field}__gte": today, f"{field}__lte": last})
        for pk, tenant, name, tag, when in rows.values_list(
            "pk", "tenant_id", "name", "asset_tag", field
        ):
            title = f"{name} ({tag})" if tag else name
            add(kind, "asset", pk, tenant, when, title, reverse("assets-detail", args=[pk]))
    if wanted & {ReminderKind.CONTRACT_NOTICE, ReminderKind.CONTRACT_END}:
        contracts: Any = Contract.objects.filter(scope, end_date__gte=today).values_list(
            "pk", "tenant_id", "name", "end_date", "renewal_notice_days"
        )
        url = reverse("assets-contracts")
        for pk, tenant, name, end, notice_days in contracts:
            add(ReminderKind.CONTRACT_END, "contract", pk, tenant, end, name, url)
            notice = end - timedelta(days=notice_days)
            add(ReminderKind.CONTRACT_NOTICE, "contract", pk, tenant, notice, name, url)
    for field, kind in (
        ("end_of_support", ReminderKind.END_OF_SUPPORT),
        ("end_of_life", ReminderKind.END_OF_LIFE),
    ):
        if kind not in wanted:
            continue
        path = f"software_version__{field}"
        installed: Any = (
            Installation.objects.filter(scope, **{f"{path}__gte": today, f"{path}__lte": last})
            .values_list(
                "tenant_id",
                "software_version_id",
                "software_version__product__vendor",
                "software_version__product__name",
                "software_version__version",
                path,
            )
            .order_by()
            .distinct()
        )
        url = reverse("assets-eol")
        for tenant, pk, vendor, product, version, when in installed:
            add(kind, "software_version", pk, tenant, when, f"{vendor} {product} {version}", url)
    out.sort(key=lambda d: (d.due_date, d.kind, d.title, d.subject_id, d.tenant_id))
    return out


def attach_sent(items: list[Due]) -> None:
    """Set each item's `reminder`: the one recorded at its current horizon (one query)."""
    pending = [d for d in items if d.horizon is not None]
    if not pending:
        return
    rows = LifecycleReminder.objects.filter(
        subject_id__in={d.subject_id for d in pending}, due_date__in={d.due_date for d in pending}
    )
    found: dict[Any, LifecycleReminder] = {
        (r.tenant_id, r.kind, r.subject_type, r.subject_id, r.due_date, r.horizon): r for r in rows
    }
    for d in pending:
        d.reminder = found.get(d.key)


def record_due(*, today: date | None = None) -> list[LifecycleReminder]:
    """The job: record and enqueue every reminder due now and not yet recorded; idempotent."""
    from serval.assets.tasks import mail_lifecycle_reminder

    items = [d for d in due(today=today) if d.horizon is not None]
    attach_sent(items)
    made: list[LifecycleReminder] = []
    for d in items:
        if d.reminder is not None:
            continue
        try:
            with transaction.atomic():
                reminder = LifecycleReminder.objects.create(
                    tenant_id=d.tenant_id,
                    kind=d.kind,
                    subject_type=d.subject_type,
                    subject_id=d.subject_id,
                    due_date=d.due_date,
                    horizon=d.horizon or 0,
                )
                mail_lifecycle_reminder.enqueue(reminder.pk)
        except IntegrityError:
            continue  # another worker recorded it first
        made.append(reminder)
    return made


def concerned_cis(reminder: LifecycleReminder) -> list[CI]:
    """The CIs a reminder is about: the asset's, the contract's covered assets', or those of the
    reminder's tenant that run the version."""
    qs = CI.objects.filter(tenant_id=reminder.tenant_id)
    if reminder.subject_type == "asset":
        qs = qs.filter(asset__pk=reminder.subject_id)
    elif reminder.subject_type == "contract":
        qs = qs.filter(asset__contracts__pk=reminder.subject_id)
    else:
        qs = qs.filter(installations__software_version_id=reminder.subject_id)
    return list(qs.select_related("owner").order_by("name", "pk").distinct()[:500])


def recipients(reminder: LifecycleReminder, cis: list[CI]) -> list[User]:
    """Owners and support-team members of `cis`; else the tenant's managers."""
    ids = {ci.owner_id for ci in cis if ci.owner_id}
    teams = {ci.support_team_id for ci in cis if ci.support_team_id}
    if teams:
        members = Team.members.through.objects.filter(team_id__in=teams)
        ids |= set(members.values_list("user_id", flat=True))
    people = User.objects.filter(pk__in=ids, is_active=True) if ids else User.objects.none()
    if not ids:
        people = User.objects.filter(
            tenant_id=reminder.tenant_id, role=Role.MANAGER, is_active=True
        )
    return list(people.order_by("username"))


def subject_record(reminder: LifecycleReminder) -> Any:
    model: Any = {"asset": Asset, "contract": Contract, "software_version": SoftwareVersion}[
        reminder.subject_type
    ]
    qs = model.objects.filter(pk=reminder.subject_id)
    if reminder.subject_type == "software_version":
        qs = qs.select_related("product")
    return qs.first()
