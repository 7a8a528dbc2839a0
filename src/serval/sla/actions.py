"""SLA actions: every write to calendars and definitions goes through one of these.

Administrators of the owning tenant write; calendars and definitions are journaled under their
own subject types. Changing a calendar or a definition's duration re-aims the running clocks
(DOMAIN.md §2.5: "recompute on pause/resume and calendar edits").
"""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from serval.core import journal, refcache
from serval.core.errors import NotFound, PermissionDenied, ValidationFailed, check_version
from serval.core.models import Tenant
from serval.core.tenancy import reach, shared_reach
from serval.people.models import User
from serval.sla import calendars, conditions, engine, escalation
from serval.sla.models import (
    ACTIVE_STAGES,
    AgreementType,
    BusinessCalendar,
    ClosedDate,
    SlaClock,
    SlaDefinition,
    Target,
    TimeZoneSource,
)
from serval.work.models import WorkItem

MAX_DURATION = 366 * 86400


# --- visibility --------------------------------------------------------------------------------


def calendars_visible_to(user: User) -> Any:
    """Own tenants' calendars plus those shared down from ancestors."""
    return BusinessCalendar.objects.filter(
        Q(tenant_id__in=reach(user)) | Q(shared=True, tenant_id__in=shared_reach(user))
    )


def definitions_visible_to(user: User) -> Any:
    return SlaDefinition.objects.filter(
        Q(tenant_id__in=reach(user)) | Q(shared=True, tenant_id__in=shared_reach(user))
    )


def _require_admin(actor: User, tenant_id: int) -> None:
    if not actor.is_admin or tenant_id not in reach(actor):
        raise PermissionDenied(_("Only administrators of its tenant can change this."))


# --- cleaning ----------------------------------------------------------------------------------


def _clean_calendar(raw: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    for name, value in raw.items():
        if name == "name":
            text = value.strip() if isinstance(value, str) else ""
            if not text or len(text) > 200:
                errors[name] = _("Between 1 and 200 characters.")
            out[name] = text
        elif name == "time_zone":
            try:
                ZoneInfo(value if isinstance(value, str) and value else "-")
                out[name] = value
            except (ZoneInfoNotFoundError, ValueError):
                errors[name] = _("Unknown time zone.")
        elif name == "week":
            try:
                if not isinstance(value, dict) or set(value) - set(calendars.WEEKDAYS):
                    raise ValueError
                week = calendars.week_from_json(value)
                out[name] = calendars.week_to_json(week)
            except (ValueError, TypeError):
                errors[name] = _(
                    'Working hours per weekday, like {"mon": [["08:00", "17:00"]]}; '
                    "times HH:MM, each interval ending after it starts."
                )
        elif name in ("country", "subdivision"):
            out[name] = (value or "").strip().upper() if isinstance(value, str | None) else None
            if out[name] is None or len(out[name]) > 16:
                errors[name] = _("A country or region code.")
        elif name == "shared":
            if not isinstance(value, bool):
                errors[name] = _("Must be true or false.")
            out[name] = bool(value)
        else:
            errors[name] = _("Unknown field.")
    if not errors and out.get("country"):
        import holidays

        try:
            holidays.country_holidays(out["country"], subdiv=out.get("subdivision") or None)
        except NotImplementedError:
            errors["country"] = _("Holidays for this country or region are not known.")
    if errors:
        raise ValidationFailed(errors)
    return out


def _clean_definition(raw: dict[str, Any], tenant: Tenant, actor: User) -> dict[str, Any]:
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    for name, value in raw.items():
        if name == "name":
            text = value.strip() if isinstance(value, str) else ""
            if not text or len(text) > 200:
                errors[name] = _("Between 1 and 200 characters.")
            out[name] = text
        elif name == "type":
            if value not in AgreementType.values:
                errors[name] = _("One of %s.") % ", ".join(AgreementType.values)
            out[name] = value
        elif name == "target":
            if value not in Target.values:
                errors[name] = _("One of %s.") % ", ".join(Target.values)
            out[name] = value
        elif name == "time_zone_source":
            if value not in TimeZoneSource.values:
                errors[name] = _("One of %s.") % ", ".join(TimeZoneSource.values)
            out[name] = value
        elif name == "duration_seconds":
            if isinstance(value, bool) or not isinstance(value, int):
                errors[name] = _("A whole number of seconds.")
            elif not 60 <= value <= MAX_DURATION:
                errors[name] = _("Between one minute and one year.")
            out[name] = value
        elif name == "calendar":
            if value in (None, ""):
                out[name] = None
            else:
                cal = calendars_visible_to(actor).filter(pk=value).first()
                if cal is None or not (cal.tenant_id == tenant.pk or cal.shared):
                    errors[name] = _("Unknown calendar.")
                out[name] = cal
        elif name == "conditions":
            try:
                out[name] = conditions.validate(value)
            except ValidationFailed as exc:
                errors.update(exc.as_dict())
        elif name == "escalation":
            try:
                out[name] = escalation.clean(value, tenant=tenant)
            except ValidationFailed as exc:
                errors.update(exc.as_dict())
        elif name in ("retroactive_start", "active", "shared"):
            if not isinstance(value, bool):
                errors[name] = _("Must be true or false.")
            out[name] = value
        else:
            errors[name] = _("Unknown field.")
    if errors:
        raise ValidationFailed(errors)
    return out


def _tenant_for(actor: User, tenant: Tenant | None) -> Tenant:
    tenant = tenant or actor.tenant
    if tenant.pk not in reach(actor):
        raise NotFound(_("Unknown tenant."))
    _require_admin(actor, tenant.pk)
    return tenant


def _record(obj: Any, subject: str, verb: str, actor: User | None, data: dict[str, Any]) -> None:
    journal.append(
        tenant=obj.tenant_id,
        subject_type=subject,
        subject_id=obj.pk,
        verb=verb,
        actor=actor,
        data=data,
    )


# --- calendars ---------------------------------------------------------------------------------


def create_calendar(*, actor: User, tenant: Tenant | None = None, **raw: Any) -> BusinessCalendar:
    """Add a business calendar (administrators)."""
    tenant = _tenant_for(actor, tenant)
    raw.setdefault("name", "")
    closed = raw.pop("closed_dates", None)
    values = _clean_calendar(raw)
    cleaned_closed = _clean_closed_dates(closed) if closed is not None else []
    with transaction.atomic():
        if BusinessCalendar.objects.filter(tenant=tenant, name=values["name"]).exists():
            raise ValidationFailed({"name": _("A calendar with this name exists.")})
        calendar = BusinessCalendar.objects.create(tenant=tenant, **values)
        ClosedDate.objects.bulk_create(
            ClosedDate(calendar=calendar, **entry) for entry in cleaned_closed
        )
        refcache.changed()
        _record(calendar, "sla_calendar", "created", actor, {"name": calendar.name})
    return calendar


def update_calendar(
    *, actor: User, calendar: BusinessCalendar, expected_version: int | None = None, **raw: Any
) -> BusinessCalendar:
    """Change a calendar; running clocks on it are re-aimed in the same transaction."""
    _require_admin(actor, calendar.tenant_id)
    closed = raw.pop("closed_dates", None)
    values = _clean_calendar(raw)
    cleaned_closed = _clean_closed_dates(closed) if closed is not None else None
    with transaction.atomic():
        calendar = BusinessCalendar.objects.select_for_update().get(pk=calendar.pk)
        check_version(expected_version, calendar.version)
        changes = {k: v for k, v in values.items() if getattr(calendar, k) != v}
        if "name" in changes and (
            BusinessCalendar.objects.filter(tenant_id=calendar.tenant_id, name=changes["name"])
            .exclude(pk=calendar.pk)
            .exists()
        ):
            raise ValidationFailed({"name": _("A calendar with this name exists.")})
        for name, value in changes.items():
            setattr(calendar, name, value)
        if cleaned_closed is not None:
            calendar.closed_dates.all().delete()
            ClosedDate.objects.bulk_create(
                ClosedDate(calendar=calendar, **entry) for entry in cleaned_closed
            )
            changes["closed_dates"] = len(cleaned_closed)
        if not changes:
            return calendar
        calendar.version += 1
        calendar.save()
        refcache.changed()
        _record(
            calendar,
            "sla_calendar",
            "updated",
            actor,
            {"fields": sorted(changes)},
        )
        _recompute(SlaClock.objects.filter(definition__calendar=calendar))
    return calendar


def _clean_closed_dates(raw: Any) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or len(raw) > 500:
        raise ValidationFailed({"closed_dates": _("A list of at most 500 dates.")})
    out: dict[date, dict[str, Any]] = {}
    for index, entry in enumerate(raw):
        try:
            if not isinstance(entry, dict) or set(entry) - {"date", "yearly", "name"}:
                raise ValueError
            day = entry["date"]
            day = day if isinstance(day, date) else date.fromisoformat(str(day))
            name = str(entry.get("name", ""))[:200]
            out[day] = {"date": day, "yearly": bool(entry.get("yearly", False)), "name": name}
        except (ValueError, KeyError, TypeError):
            raise ValidationFailed(
                {f"closed_dates.{index}": _('Like {"date": "2026-12-24", "yearly": true}.')}
            ) from None
    return list(out.values())


def add_closed_date(
    *, actor: User, calendar: BusinessCalendar, day: date, yearly: bool = False, name: str = ""
) -> ClosedDate:
    """Close the calendar on one date (once or every year)."""
    _require_admin(actor, calendar.tenant_id)
    with transaction.atomic():
        calendar = BusinessCalendar.objects.select_for_update().get(pk=calendar.pk)
        entry, _created = ClosedDate.objects.update_or_create(
            calendar=calendar, date=day, defaults={"yearly": yearly, "name": name[:200]}
        )
        calendar.version += 1
        calendar.save(update_fields=["version"])
        refcache.changed()
        _record(
            calendar,
            "sla_calendar",
            "closed_date",
            actor,
            {"date": day.isoformat(), "yearly": yearly, "name": name[:200]},
        )
        _recompute(SlaClock.objects.filter(definition__calendar=calendar))
    return entry


def _recompute(clocks: Any) -> None:
    """Re-aim active clocks; each item is locked first, as every item write does."""
    ids = list(clocks.filter(stage__in=ACTIVE_STAGES).values_list("pk", "work_item_id"))
    for clock_id, item_id in ids:
        WorkItem.objects.select_for_update().get(pk=item_id)
        clock = (
            SlaClock.objects.select_for_update(of=("self",))
            .select_related("definition__calendar")
            .get(pk=clock_id)
        )
        engine.recompute(clock)


# --- definitions -------------------------------------------------------------------------------


def create_definition(*, actor: User, tenant: Tenant | None = None, **raw: Any) -> SlaDefinition:
    """Add an SLA, OLA or UC definition (administrators); it attaches to matching items on
    their next write."""
    tenant = _tenant_for(actor, tenant)
    for required in ("name", "target", "duration_seconds"):
        raw.setdefault(required, None)
    values = _clean_definition(raw, tenant, actor)
    with transaction.atomic():
        if SlaDefinition.objects.filter(tenant=tenant, name=values["name"]).exists():
            raise ValidationFailed({"name": _("A definition with this name exists.")})
        definition = SlaDefinition.objects.create(tenant=tenant, **values)
        refcache.changed()
        _record(definition, "sla_definition", "created", actor, {"name": definition.name})
    return definition


def update_definition(
    *, actor: User, definition: SlaDefinition, expected_version: int | None = None, **raw: Any
) -> SlaDefinition:
    """Change a definition; a new duration or calendar re-aims its running clocks."""
    _require_admin(actor, definition.tenant_id)
    values = _clean_definition(raw, definition.tenant, actor)
    with transaction.atomic():
        definition = SlaDefinition.objects.select_for_update().get(pk=definition.pk)
        check_version(expected_version, definition.version)
        changes = {k: v for k, v in values.items() if getattr(definition, k) != v}
        if not changes:
            return definition
        for name, value in changes.items():
            setattr(definition, name, value)
        definition.version += 1
        definition.save()
        refcache.changed()
        _record(definition, "sla_definition", "updated", actor, {"fields": sorted(changes)})
        if {"duration_seconds", "calendar"} & set(changes):
            clocks = SlaClock.objects.filter(definition=definition)
            if "duration_seconds" in changes:
                clocks.filter(stage__in=ACTIVE_STAGES).update(
                    duration_seconds=definition.duration_seconds
                )
            _recompute(clocks)
    return definition


def preview_due(*, definition: SlaDefinition, opened_at: Any, caller: User | None = None) -> Any:
    """ "An item opened at this instant would be due at …" for the admin preview."""

    class _Probe:
        pass

    probe = _Probe()
    probe.caller = caller  # type: ignore[attr-defined]
    spec = engine.spec_for(definition, probe)
    return calendars.add_business_time(opened_at, definition.duration_seconds, spec)
