"""Maintenance and blackout windows (DOMAIN.md §2.3 "Schedule"): recurrence, scopes, actions.

**Recurrence.** A window is one-off (`rrule` empty: `starts_at`–`ends_at`) or recurring: an RFC
5545 RRULE expanded in the window's own time zone, so "every Sunday 02:00" stays at 02:00 local
time across daylight-saving changes. Every occurrence lasts exactly `ends_at − starts_at` of
elapsed time. A local start that does not exist on a day (the hour skipped in spring) moves
forward by the gap; an ambiguous one (the hour repeated in autumn) is its first instance.
Rules are kept small so nothing can explode: FREQ is DAILY, WEEKLY, MONTHLY or YEARLY, the time
of day comes from the start (no BYHOUR/BYMINUTE/BYSECOND), at most one occurrence a day, COUNT at
most `MAX_COUNT`, UNTIL at most `MAX_SERIES_YEARS` after the start (a rule without either ends
there too), and the start must be the rule's first occurrence. One expansion returns at most
`MAX_OCCURRENCES` occurrences, and the API's spans are at most `MAX_SPAN_DAYS` long.

**Scopes.** A window is global, or scoped to services, CI classes (a class covers its
subclasses), CIs and teams; `serval.changes.conflicts` decides which windows apply to a CI.

**Actions.** Change managers (roles manager and admin) of the window's tenant create, update,
(de)activate and delete windows; agents read them. Each write is journaled under the subject
"change_window" and enqueues `refresh_for_windows`, which recomputes the conflicts of the changes
on the schedule within the window's span (before and after the edit).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.relativedelta import relativedelta
from dateutil.rrule import rrule as RRule
from dateutil.rrule import rrulestr
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from serval.changes import states as S
from serval.changes.models import ChangeWindow, WindowKind
from serval.core import journal
from serval.core.errors import NotFound, PermissionDenied, ValidationFailed, check_version
from serval.core.tenancy import reach, reference_visible_in
from serval.core.text import optional_text, required_text

if TYPE_CHECKING:
    from serval.core.models import Tenant
    from serval.people.models import User

SUBJECT = "change_window"
MAX_OCCURRENCES = 1000  # per expansion (one window, one span)
MAX_COUNT = 1000
MAX_SERIES_YEARS = 10
MAX_DURATION = timedelta(days=366)
MAX_SPAN_DAYS = 366
MAX_SCOPE = 200  # references per scope list
FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
RULE_PARTS = (
    "FREQ",
    "INTERVAL",
    "COUNT",
    "UNTIL",
    "BYDAY",
    "BYMONTHDAY",
    "BYYEARDAY",
    "BYWEEKNO",
    "BYMONTH",
    "BYSETPOS",
    "WKST",
)
SCOPES = ("services", "ci_classes", "cis", "teams")
FIELDS = (
    "kind",
    "name",
    "description",
    "starts_at",
    "ends_at",
    "rrule",
    "time_zone",
    "is_global",
    *SCOPES,
    "exempt_emergency",
    "active",
)


@dataclass(frozen=True)
class Occurrence:
    starts_at: datetime
    ends_at: datetime


# --- recurrence (pure) --------------------------------------------------------------------------


def zone(name: str) -> ZoneInfo:
    """The named IANA zone; ValueError when unknown."""
    if not isinstance(name, str) or not name or len(name) > 64 or "\x00" in name:
        raise ValueError(name)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(name) from exc


def _until_utc(value: str, tz: ZoneInfo) -> datetime:
    """UNTIL as given (UTC with Z, local date-time, or a date = the end of that local day)."""
    try:
        if value.endswith("Z"):
            return datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        if "T" in value:
            local = datetime.strptime(value, "%Y%m%dT%H%M%S")
        else:
            local = datetime.combine(datetime.strptime(value, "%Y%m%d").date(), time(23, 59, 59))
    except ValueError as exc:
        raise ValueError(_("UNTIL must look like 20271231T235959Z.")) from exc
    return local.replace(tzinfo=tz).astimezone(UTC)


def normalize_rule(text: str, *, starts_at: datetime, time_zone: str) -> str:
    """The rule in canonical form (parts in a fixed order, UNTIL in UTC), or ValueError.

    Refuses whatever could make a window explode or disagree with its own start.
    """
    tz = zone(time_zone)
    raw = text.strip()
    if raw.upper().startswith("RRULE:"):
        raw = raw[6:]
    if not raw:
        return ""
    if "\n" in raw or "\r" in raw or len(raw) > 400:
        raise ValueError(_("One RRULE line of at most 400 characters."))
    parts: dict[str, str] = {}
    for chunk in raw.upper().split(";"):
        if not chunk:
            continue
        key, sep, value = chunk.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not value:
            raise ValueError(_("Each part is NAME=VALUE, e.g. FREQ=WEEKLY;BYDAY=SU."))
        if key in ("BYHOUR", "BYMINUTE", "BYSECOND"):
            raise ValueError(_("The time of day comes from the start; %s is not accepted.") % key)
        if key not in RULE_PARTS:
            raise ValueError(_("Unknown or unsupported part %s.") % key[:20])
        if key in parts:
            raise ValueError(_("%s is given twice.") % key)
        parts[key] = value
    freq = parts.get("FREQ")
    if freq not in FREQUENCIES:
        raise ValueError(_("FREQ must be one of %s.") % ", ".join(FREQUENCIES))
    if "COUNT" in parts and "UNTIL" in parts:
        raise ValueError(_("Give COUNT or UNTIL, not both."))
    if "COUNT" in parts:
        if not parts["COUNT"].isdigit() or not 1 <= int(parts["COUNT"]) <= MAX_COUNT:
            raise ValueError(_("COUNT must be between 1 and %d.") % MAX_COUNT)
    if "INTERVAL" in parts and (
        not parts["INTERVAL"].isdigit() or not 1 <= int(parts["INTERVAL"]) <= 1000
    ):
        raise ValueError(_("INTERVAL must be between 1 and 1000."))
    if "UNTIL" in parts:
        until = _until_utc(parts["UNTIL"], tz)
        if until < starts_at:
            raise ValueError(_("UNTIL is before the start."))
        if until > starts_at + relativedelta(years=MAX_SERIES_YEARS):
            raise ValueError(_("UNTIL may be at most %d years after the start.") % MAX_SERIES_YEARS)
        parts["UNTIL"] = until.strftime("%Y%m%dT%H%M%SZ")
    canonical = ";".join(f"{k}={parts[k]}" for k in RULE_PARTS if k in parts)
    rule = _build(canonical, starts_at, tz)
    first = rule.after(starts_at.astimezone(tz), inc=True)
    if first is None:
        raise ValueError(_("This rule never occurs."))
    if first.astimezone(UTC) != starts_at.astimezone(UTC):
        raise ValueError(
            _("The start must be the rule's first occurrence (for BYDAY=SU, a Sunday).")
        )
    second = rule.after(first, inc=False)
    if second is not None and second - first < timedelta(hours=23):
        raise ValueError(_("At most one occurrence a day."))
    return canonical


def _build(
    canonical: str, starts_at: datetime, tz: ZoneInfo, *, near: datetime | None = None
) -> RRule:
    """The rule from `starts_at`; with `near`, re-based to start shortly before it when that
    gives the same occurrences from there on (dateutil always iterates from its start)."""
    origin = starts_at.astimezone(tz)
    dtstart = origin
    if near is not None:
        dtstart = _rebased(canonical, origin, near.astimezone(tz))
    try:
        rule = rrulestr(canonical, dtstart=dtstart, cache=False)
    except (ValueError, TypeError, OverflowError, KeyError, IndexError) as exc:
        raise ValueError(_("Not a valid RRULE: %s") % str(exc)[:120]) from exc
    if not isinstance(rule, RRule):
        raise ValueError(_("One RRULE only."))
    if "COUNT" not in canonical and "UNTIL" not in canonical:
        rule = rule.replace(until=origin + relativedelta(years=MAX_SERIES_YEARS))
    return rule


def _rebased(canonical: str, origin: datetime, near: datetime) -> datetime:
    """A later start with the same occurrences after `near`: whole periods of a DAILY or WEEKLY
    rule without COUNT or BYSETPOS (which count from the first occurrence) repeat exactly.
    Aware arithmetic with one tzinfo keeps the wall time, so the local start stays put."""
    parts = dict(p.split("=", 1) for p in canonical.split(";"))
    if "COUNT" in parts or "BYSETPOS" in parts or parts.get("FREQ") not in ("DAILY", "WEEKLY"):
        return origin
    period = int(parts.get("INTERVAL", "1")) * (7 if parts["FREQ"] == "WEEKLY" else 1)
    gap = (near.replace(tzinfo=None) - origin.replace(tzinfo=None)).days
    periods = gap // period - 1
    if periods <= 0:
        return origin
    return origin + timedelta(days=periods * period)


def expand(
    *,
    starts_at: datetime,
    ends_at: datetime,
    rrule: str,
    time_zone: str,
    start: datetime,
    end: datetime,
    limit: int = MAX_OCCURRENCES,
) -> list[Occurrence]:
    """The occurrences overlapping [start, end), in order, in UTC; at most `limit` of them.

    A pure function of its arguments; `rrule` must be canonical (see `normalize_rule`).
    """
    duration = ends_at - starts_at
    if duration <= timedelta(0) or end <= start:
        return []
    if not rrule:
        if starts_at < end and ends_at > start:
            return [Occurrence(starts_at.astimezone(UTC), ends_at.astimezone(UTC))]
        return []
    tz = zone(time_zone)
    # Wall-clock comparisons inside the rule are a day off at most around DST: widen, then
    # filter exactly in UTC.
    lower = (start - duration - timedelta(days=1)).astimezone(tz)
    rule = _build(rrule, starts_at, tz, near=lower)
    found: list[Occurrence] = []
    for local in rule.xafter(lower, inc=True):
        begin = local.astimezone(UTC)
        if begin >= end:
            break
        finish = begin + duration
        if finish > start:
            found.append(Occurrence(begin, finish))
            if len(found) >= limit:
                break
    return found


def occurrences(
    window: ChangeWindow, start: datetime, end: datetime, *, limit: int = MAX_OCCURRENCES
) -> list[Occurrence]:
    return expand(
        starts_at=window.starts_at,
        ends_at=window.ends_at,
        rrule=window.rrule,
        time_zone=window.time_zone,
        start=start,
        end=end,
        limit=limit,
    )


def series_end(window: ChangeWindow) -> datetime:
    """When the last occurrence ends (a rule without COUNT/UNTIL stops after 10 years)."""
    if not window.rrule:
        return window.ends_at
    return _series_end(window.starts_at, window.ends_at, window.rrule, window.time_zone)


@lru_cache(maxsize=2048)
def _series_end(starts_at: datetime, ends_at: datetime, rrule: str, time_zone: str) -> datetime:
    tz = zone(time_zone)
    rule = _build(rrule, starts_at, tz)
    last = None
    if rule._count:  # dateutil keeps these private
        for last in rule:  # noqa: B007
            pass
    else:
        until = rule._until
        rule = _build(rrule, starts_at, tz, near=until - timedelta(days=1))
        last = rule.before(until, inc=True)
    last_start = last.astimezone(UTC) if last is not None else starts_at
    return last_start + (ends_at - starts_at)


def check_span(start: datetime | None, end: datetime | None) -> tuple[datetime, datetime]:
    """A query span: both given, end after start, at most MAX_SPAN_DAYS long (else 422)."""
    errors: dict[str, str] = {}
    if start is None:
        errors["start"] = _("This field is required.")
    if end is None:
        errors["end"] = _("This field is required.")
    if errors:
        raise ValidationFailed(errors)
    assert start is not None and end is not None
    if timezone.is_naive(start):
        start = timezone.make_aware(start)
    if timezone.is_naive(end):
        end = timezone.make_aware(end)
    if end <= start:
        raise ValidationFailed({"end": _("Must be after the start.")})
    if end - start > timedelta(days=MAX_SPAN_DAYS):
        raise ValidationFailed({"end": _("The span may be at most %d days long.") % MAX_SPAN_DAYS})
    return start, end


# --- visibility ---------------------------------------------------------------------------------


def windows_visible_to(user: User) -> QuerySet[ChangeWindow]:
    """Agents see the windows of the tenants they work in; nobody else sees any."""
    if not getattr(user, "is_authenticated", False) or not user.is_agent:
        return ChangeWindow.objects.none()
    return ChangeWindow.objects.filter(tenant_id__in=reach(user))


def access_window(user: User, pk: int, *, for_update: bool = False) -> ChangeWindow:
    qs = windows_visible_to(user).select_related("tenant")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    window = qs.filter(pk=pk).first() if isinstance(pk, int) else None
    if window is None:
        raise NotFound(_("No such window."))
    return window


def can_manage(user: User | None, tenant_id: int) -> bool:
    return (
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.role in S.CHANGE_MANAGERS
        and tenant_id in reach(user)
    )


def _require_manager(actor: User, tenant_id: int) -> None:
    if not can_manage(actor, tenant_id):
        raise PermissionDenied(
            _("Only change managers can change maintenance and blackout windows.")
        )


# --- cleaning -----------------------------------------------------------------------------------


def _moment(value: Any, field: str) -> datetime:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError as exc:
            raise ValidationFailed({field: _("A date and time (ISO 8601).")}) from exc
    if not isinstance(value, datetime):
        raise ValidationFailed({field: _("A date and time.")})
    if timezone.is_naive(value):
        raise ValidationFailed({field: _("A date and time with a time zone.")})
    if not 1970 <= value.astimezone(UTC).year <= 9000:
        raise ValidationFailed({field: _("Date out of range.")})
    return value


def _ids(value: Any, field: str) -> list[int]:
    if value is None:
        return []
    if not isinstance(value, list | tuple | set | QuerySet):
        raise ValidationFailed({field: _("A list of ids.")})
    out: list[int] = []
    for v in value:
        pk = getattr(v, "pk", v)
        if isinstance(pk, bool) or not isinstance(pk, int) or not 1 <= pk <= 2**63 - 1:
            raise ValidationFailed({field: _("A list of ids.")})
        out.append(pk)
    if len(set(out)) > MAX_SCOPE:
        raise ValidationFailed({field: _("At most %d.") % MAX_SCOPE})
    return sorted(set(out))


def _resolve_scope(name: str, ids: list[int], tenant: Tenant) -> list[Any]:
    """The referenced records, each within the window's tenant (or shared down to it)."""
    from serval.cmdb.models import CI, CIClass
    from serval.people.models import Team
    from serval.services.models import Service

    if not ids:
        return []
    messages = {
        "services": _("Unknown service."),
        "ci_classes": _("Unknown CI class."),
        "cis": _("Unknown CI."),
        "teams": _("Unknown team."),
    }
    found: list[Any]
    if name == "cis":
        found = list(CI.objects.filter(pk__in=ids, tenant_id=tenant.pk))
    else:
        model: Any = {"services": Service, "ci_classes": CIClass, "teams": Team}[name]
        rows = list(model.objects.filter(pk__in=ids).select_related("tenant"))
        found = [
            r
            for r in rows
            if (name == "ci_classes" and r.tenant_id is None)
            or (
                r.tenant_id is not None
                and reference_visible_in(owner_tenant=r.tenant, shared=r.shared, target=tenant)
            )
        ]
    if len(found) != len(ids):
        raise ValidationFailed({name: messages[name]})
    return found


def _clean(raw: dict[str, Any], *, tenant: Tenant) -> dict[str, Any]:
    unknown = sorted(set(raw) - set(FIELDS))
    if unknown:
        raise ValidationFailed({f: _("Unknown field.") for f in unknown})
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    for name, value in raw.items():
        try:
            if name == "kind":
                if value not in WindowKind.values:
                    raise ValidationFailed({name: _("One of %s.") % ", ".join(WindowKind.values)})
                out[name] = value
            elif name == "name":
                out[name] = required_text(value, field=name, limit=200)
            elif name == "description":
                out[name] = optional_text(value, field=name, limit=4000)
            elif name in ("starts_at", "ends_at"):
                out[name] = _moment(value, name)
            elif name == "rrule":
                out[name] = optional_text(value, field=name, limit=500)
            elif name == "time_zone":
                try:
                    zone(value)
                except ValueError:
                    raise ValidationFailed({name: _("Unknown time zone.")}) from None
                out[name] = value
            elif name in ("is_global", "exempt_emergency", "active"):
                if not isinstance(value, bool):
                    raise ValidationFailed({name: _("Must be true or false.")})
                out[name] = value
            else:
                out[name] = _resolve_scope(name, _ids(value, name), tenant)
        except ValidationFailed as exc:
            errors.update(exc.as_dict())
    if errors:
        raise ValidationFailed(errors)
    return out


def _check_whole(window: ChangeWindow, scopes: dict[str, list[Any]]) -> None:
    """Rules across fields, on the window as it would be saved."""
    errors: dict[str, str] = {}
    if window.ends_at <= window.starts_at:
        errors["ends_at"] = _("Must be after the start.")
    elif window.ends_at - window.starts_at > MAX_DURATION:
        errors["ends_at"] = _("A window (or each occurrence) lasts at most 366 days.")
    if window.rrule and "ends_at" not in errors:
        try:
            window.rrule = normalize_rule(
                window.rrule, starts_at=window.starts_at, time_zone=window.time_zone
            )
        except ValueError as exc:
            errors["rrule"] = str(exc)
    if not window.is_global and not any(scopes.values()):
        errors["is_global"] = _(
            "Choose where the window applies: everywhere, or some services, CI classes, CIs "
            "or teams."
        )
    if errors:
        raise ValidationFailed(errors)


def _snapshot(window: ChangeWindow, scopes: dict[str, list[Any]]) -> dict[str, Any]:
    return {
        "kind": window.kind,
        "name": window.name,
        "starts_at": window.starts_at.isoformat(),
        "ends_at": window.ends_at.isoformat(),
        "rrule": window.rrule,
        "time_zone": window.time_zone,
        "is_global": window.is_global,
        "exempt_emergency": window.exempt_emergency,
        "active": window.active,
        **{name: sorted(r.pk for r in rows) for name, rows in scopes.items()},
    }


def _current_scopes(window: ChangeWindow) -> dict[str, list[Any]]:
    return {name: list(getattr(window, name).all()) for name in SCOPES}


# --- actions ------------------------------------------------------------------------------------


def create_window(*, actor: User, tenant: Tenant | None = None, **raw: Any) -> ChangeWindow:
    """Add a maintenance or blackout window (change managers of its tenant)."""
    tenant = tenant or actor.tenant
    if tenant.pk not in reach(actor):
        raise NotFound(_("Unknown tenant."))
    _require_manager(actor, tenant.pk)
    for required in ("kind", "name", "starts_at", "ends_at"):
        raw.setdefault(required, None if required != "name" else "")
    values = _clean(raw, tenant=tenant)
    scopes = {name: values.pop(name, []) for name in SCOPES}
    window = ChangeWindow(tenant=tenant, created_by=actor, **values)
    _check_whole(window, scopes)
    with transaction.atomic():
        window.save(force_insert=True)
        for name, rows in scopes.items():
            if rows:
                getattr(window, name).set(rows)
        journal.append(
            tenant=tenant,
            subject_type=SUBJECT,
            subject_id=window.pk,
            verb="created",
            actor=actor,
            data=_snapshot(window, scopes),
        )
        _enqueue_refresh(window, spans=[_span(window)])
    return window


def update_window(
    *, actor: User, window: ChangeWindow, expected_version: int | None = None, **raw: Any
) -> ChangeWindow:
    """Change a window; the changes planned in its old and new span are re-checked."""
    _require_manager(actor, window.tenant_id)
    with transaction.atomic():
        window = (
            ChangeWindow.objects.select_for_update(of=("self",))
            .select_related("tenant")
            .get(pk=window.pk)
        )
        check_version(expected_version, window.version)
        before_span = _span(window)
        before_scopes = _current_scopes(window)
        before = _snapshot(window, before_scopes)
        values = _clean(raw, tenant=window.tenant)
        scopes = {name: values.pop(name, before_scopes[name]) for name in SCOPES}
        for name, value in values.items():
            setattr(window, name, value)
        _check_whole(window, scopes)
        after = _snapshot(window, scopes)
        changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
        if not changes:
            return window
        window.version += 1
        window.save()
        for name in SCOPES:
            if name in changes:
                getattr(window, name).set(scopes[name])
        journal.append(
            tenant=window.tenant_id,
            subject_type=SUBJECT,
            subject_id=window.pk,
            verb="updated",
            actor=actor,
            data={"changes": changes},
        )
        _enqueue_refresh(window, spans=[before_span, _span(window)])
    return window


def activate_window(
    *, actor: User, window: ChangeWindow, active: bool, expected_version: int | None = None
) -> ChangeWindow:
    """Switch a window on or off; an inactive window applies to nothing."""
    return update_window(
        actor=actor, window=window, expected_version=expected_version, active=active
    )


def delete_window(
    *, actor: User, window: ChangeWindow, expected_version: int | None = None
) -> None:
    """Remove a window; changes that conflicted with it (or are planned in it) are re-checked."""
    from serval.changes.models import ChangeConflict

    _require_manager(actor, window.tenant_id)
    with transaction.atomic():
        window = ChangeWindow.objects.select_for_update().get(pk=window.pk)
        check_version(expected_version, window.version)
        affected = set(
            ChangeConflict.objects.filter(window_id=window.pk).values_list("change_id", flat=True)
        )
        span = _span(window)
        snapshot = _snapshot(window, _current_scopes(window))
        tenant_id, pk = window.tenant_id, window.pk
        _enqueue_refresh(window, spans=[span], extra=affected)
        window.delete()
        journal.append(
            tenant=tenant_id,
            subject_type=SUBJECT,
            subject_id=pk,
            verb="deleted",
            actor=actor,
            data=snapshot,
        )


# --- keeping the conflicts current ----------------------------------------------------------------


def _span(window: ChangeWindow) -> tuple[datetime, datetime]:
    """Where the window can affect a planned change: a blackout over its occurrences; a
    maintenance window binds every change planned before its last occurrence ends."""
    try:
        end = series_end(window)
    except ValueError:
        end = window.ends_at
    if window.kind == WindowKind.MAINTENANCE:
        return datetime(1970, 1, 1, tzinfo=UTC), end
    return window.starts_at, end


def changes_in_spans(tenant_id: int, spans: Iterable[tuple[datetime, datetime]]) -> set[int]:
    """Ids of the tenant's changes on the schedule whose planned window meets one of the spans."""
    from django.db.models import Q

    from serval.changes.conflicts import ON_SCHEDULE
    from serval.changes.models import ChangeDetail

    cond = Q()
    for start, end in spans:
        cond |= Q(planned_start__lt=end, planned_end__gt=start)
    if not cond:
        return set()
    return set(
        ChangeDetail.objects.filter(
            cond, work_item__tenant_id=tenant_id, work_item__state__in=ON_SCHEDULE
        ).values_list("work_item_id", flat=True)
    )


def _enqueue_refresh(
    window: ChangeWindow, *, spans: list[tuple[datetime, datetime]], extra: Iterable[int] = ()
) -> None:
    from serval.changes.models import ChangeConflict

    ids = changes_in_spans(window.tenant_id, spans) | set(extra)
    if window.pk:
        ids |= set(
            ChangeConflict.objects.filter(window_id=window.pk).values_list("change_id", flat=True)
        )
    if ids:
        from serval.changes.conflicts import refresh_changes

        refresh_changes.enqueue(sorted(ids))


def local_input(value: date | datetime, time_zone: str) -> datetime:
    """A date-time typed in a form, read as wall time in the window's zone."""
    if isinstance(value, datetime):
        naive = value.replace(tzinfo=None)
    else:
        naive = datetime.combine(value, time())
    return naive.replace(tzinfo=zone(time_zone))
