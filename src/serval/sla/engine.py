"""The SLA engine: keep every work item's clocks in step with the item, in the same transaction.

`evaluate(item)` is called by every write to a work item (at the end of `work.actions.bump` and
after the "created" record of `create_incident`), with the item's row locked. Per active
definition it applies the transitions of DOMAIN.md §2.5 [43] in this order:

  active clock:  cancel (cancel met, or start no longer met) → complete (stop met)
                 → reattach (reset met: complete, then attach a new cycle)
                 → pause (pause met) / resume (pause no longer met)
  no active clock: attach when start ∧ ¬stop ∧ ¬cancel — a reopened item starts a new cycle.

Warnings at 50 % / 75 % and the breach at 100 % fire from `check_clock`, run by a task enqueued
for the exact instant (`next_check_at`) and by the periodic sweep as a safety net. Both are
idempotent: they re-read the clock under lock and fire only levels not fired yet.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from serval.core import journal, refcache
from serval.core.models import Tenant
from serval.core.rawrows import Inserter, column, table
from serval.sla import calendars, conditions
from serval.sla.models import (
    ACTIVE_STAGES,
    WARNING_LEVELS,
    SlaClock,
    SlaDefinition,
    Stage,
    TimeZoneSource,
)

logger = logging.getLogger("serval.sla")
SUBJECT = "work_item"


# --- calendars and figures -----------------------------------------------------------------


def spec_for(definition: SlaDefinition, item: Any) -> calendars.CalendarSpec:
    """The calendar a clock runs on: the definition's (24×7 when none), in the right zone."""
    zone = None
    if definition.time_zone_source == TimeZoneSource.CALLER:
        zone = getattr(getattr(item, "caller", None), "time_zone", None)
        try:
            ZoneInfo(zone or "")
        except (ValueError, KeyError, OSError):
            zone = None
    if definition.calendar is None:
        return calendars.TWENTY_FOUR_SEVEN
    return calendar_spec(definition.calendar, zone)


def clock_spec(clock: SlaClock) -> calendars.CalendarSpec:
    """The calendar of an existing clock (its zone was fixed when it attached)."""
    calendar = clock.definition.calendar
    if calendar is None:
        return calendars.TWENTY_FOUR_SEVEN
    return calendar_spec(calendar, clock.time_zone)


def calendar_spec(calendar: Any, zone: str | None) -> calendars.CalendarSpec:
    """`BusinessCalendar.spec` (which reads the closed dates) cached per process: keyed by the
    calendar's version and checked against the reference version (serval.core.refcache)."""
    key = ("calendar_spec", calendar.pk, calendar.version, zone)
    return refcache.get(key, lambda: calendar.spec(time_zone=zone))


def level_at(clock: SlaClock, level: int, spec: calendars.CalendarSpec) -> datetime:
    """The instant a running clock reaches `level` % of its business duration."""
    seconds = clock.duration_seconds * level / 100 + clock.business_pause_seconds
    return calendars.add_business_time(clock.start_at, seconds, spec)


def figures(
    clock: SlaClock, now: datetime, spec: calendars.CalendarSpec | None = None
) -> dict[str, Any]:
    """Live elapsed / left / percent figures (DOMAIN.md §2.5 "Task SLA instance")."""
    spec = spec or clock_spec(clock)
    end = clock.stop_at or now
    pause = clock.pause_seconds
    business_pause = clock.business_pause_seconds
    if clock.stage == Stage.PAUSED and clock.paused_at:
        pause += max(0, int((end - clock.paused_at).total_seconds()))
        business_pause += calendars.business_seconds_between(clock.paused_at, end, spec)
    elapsed = max(0, int((end - clock.start_at).total_seconds()) - pause)
    business = max(
        0, calendars.business_seconds_between(clock.start_at, end, spec) - business_pause
    )
    duration = clock.duration_seconds or 1
    return {
        "elapsed_seconds": elapsed,
        "business_elapsed_seconds": business,
        "elapsed_percent": round(100 * elapsed / duration, 2),
        "business_elapsed_percent": round(100 * business / duration, 2),
        "business_left_seconds": clock.duration_seconds - business,
        "left_seconds": int((clock.breach_at - end).total_seconds()),
        "pause_seconds": pause,
        "business_pause_seconds": business_pause,
    }


def _store_figures(clock: SlaClock, now: datetime, spec: calendars.CalendarSpec) -> None:
    f = figures(clock, now, spec)
    for name in (
        "elapsed_seconds",
        "business_elapsed_seconds",
        "elapsed_percent",
        "business_elapsed_percent",
    ):
        setattr(clock, name, max(0, f[name]))
    clock.updated_at = now


# --- journal and follow-ups ----------------------------------------------------------------


def _journal(item: Any, clock: SlaClock, verb: str, at: datetime, **data: Any) -> None:
    journal.append(
        tenant=item.tenant_id,
        subject_type=SUBJECT,
        subject_id=item.pk,
        verb=verb,
        actor=None,
        internal=clock.definition.type != "sla",
        at=at,
        data={
            "clock": clock.pk,
            "definition": clock.definition.name,
            "target": clock.definition.target,
            "cycle": clock.cycle,
            **data,
        },
    )


def _aim(clock: SlaClock, spec: calendars.CalendarSpec) -> None:
    """Set `next_check_at` to the instant of the next level still to fire (or None)."""
    pending = [lvl for lvl in WARNING_LEVELS if lvl > clock.warned_level]
    if clock.stage != Stage.IN_PROGRESS or not pending:
        clock.next_check_at = None
    else:
        clock.next_check_at = level_at(clock, pending[0], spec)


def _enqueue_check(clock: SlaClock) -> None:
    """A task for the exact instant of the clock's next level."""
    if clock.next_check_at is None:
        return
    from serval.sla.tasks import check_sla_clock

    check_sla_clock.using(run_after=clock.next_check_at).enqueue(clock.pk)


def _schedule(clock: SlaClock, spec: calendars.CalendarSpec) -> None:
    """Set `next_check_at` to the next level still to fire and enqueue a task for it."""
    _aim(clock, spec)
    _enqueue_check(clock)


def _fire_due_levels(
    item: Any, clock: SlaClock, now: datetime, spec: calendars.CalendarSpec
) -> list[int]:
    """Fire every level whose instant has come; returns the levels fired."""
    fired: list[int] = []
    if clock.stage != Stage.IN_PROGRESS:
        return fired
    for level in WARNING_LEVELS:
        if level <= clock.warned_level:
            continue
        at = level_at(clock, level, spec)
        if at > now:
            break
        clock.warned_level = level
        if level == 100:
            clock.has_breached = True
            _journal(item, clock, "sla_breached", now, breach_at=clock.breach_at.isoformat())
        else:
            _journal(item, clock, "sla_warning", now, level=level)
        fired.append(level)
    if fired:
        from serval.sla.tasks import notify_sla

        notify_sla.enqueue(clock.pk, fired[-1])
        __import__("serval.sla.escalation").sla.escalation.schedule(clock, fired)
    return fired


# --- transitions ---------------------------------------------------------------------------


# Every create starts its clocks: the INSERT written once, not compiled per clock (issue 6).
_insert_clock = Inserter(SlaClock)


def _attach(
    item: Any, definition: SlaDefinition, cycle: int, now: datetime, *, paused: bool
) -> SlaClock:
    spec = spec_for(definition, item)
    start = item.opened_at if definition.retroactive_start and cycle == 1 else now
    start = min(start, now)
    breach = calendars.add_business_time(start, definition.duration_seconds, spec)
    clock = SlaClock(
        tenant_id=item.tenant_id,
        work_item=item,
        definition=definition,
        cycle=cycle,
        stage=Stage.IN_PROGRESS,
        start_at=start,
        breach_at=breach,
        original_breach_at=breach,
        duration_seconds=definition.duration_seconds,
        time_zone=spec.time_zone,
        updated_at=now,
    )
    # The row goes in complete when nothing is due yet (the usual case: one INSERT); a pause
    # or a level already due (a retroactive start) changes it again after its journal lines.
    due = not paused and level_at(clock, WARNING_LEVELS[0], spec) <= now
    if not paused and not due:
        _aim(clock, spec)
    _store_figures(clock, now, spec)
    _insert_clock(clock)
    _journal(item, clock, "sla_started", now, breach_at=breach.isoformat())
    if paused:
        _pause(item, clock, now, spec)
    elif due:
        _fire_due_levels(item, clock, now, spec)
        _schedule(clock, spec)
    else:
        _enqueue_check(clock)
        return clock
    _store_figures(clock, now, spec)
    clock.save()
    return clock


def _pause(item: Any, clock: SlaClock, now: datetime, spec: calendars.CalendarSpec) -> None:
    clock.stage, clock.paused_at, clock.next_check_at = Stage.PAUSED, now, None
    _journal(item, clock, "sla_paused", now)


def _resume(item: Any, clock: SlaClock, now: datetime, spec: calendars.CalendarSpec) -> None:
    assert clock.paused_at is not None
    clock.pause_seconds += max(0, int((now - clock.paused_at).total_seconds()))
    clock.business_pause_seconds += calendars.business_seconds_between(clock.paused_at, now, spec)
    clock.stage, clock.paused_at = Stage.IN_PROGRESS, None
    if not clock.has_breached:
        clock.breach_at = level_at(clock, 100, spec)
    _journal(item, clock, "sla_resumed", now, breach_at=clock.breach_at.isoformat())
    _fire_due_levels(item, clock, now, spec)
    _schedule(clock, spec)


def _stop(
    item: Any, clock: SlaClock, now: datetime, spec: calendars.CalendarSpec, *, cancel: bool
) -> None:
    if clock.stage == Stage.PAUSED:
        _resume_silently(clock, now, spec)
    if not cancel:
        _fire_due_levels(item, clock, now, spec)
    clock.stop_at, clock.next_check_at = now, None
    if cancel:
        clock.stage = Stage.CANCELLED
        _journal(item, clock, "sla_cancelled", now)
    else:
        clock.stage = Stage.COMPLETED
        clock.has_breached = clock.has_breached or now > clock.breach_at
        _journal(item, clock, "sla_completed" if clock.has_breached else "sla_met", now)


def _resume_silently(clock: SlaClock, now: datetime, spec: calendars.CalendarSpec) -> None:
    assert clock.paused_at is not None
    clock.pause_seconds += max(0, int((now - clock.paused_at).total_seconds()))
    clock.business_pause_seconds += calendars.business_seconds_between(clock.paused_at, now, spec)
    clock.stage, clock.paused_at = Stage.IN_PROGRESS, None


def definitions_for(item: Any) -> list[SlaDefinition]:
    """Active definitions of the item's tenant, plus those its ancestors share down.

    Cached per process under the reference version (serval.core.refcache): every action that
    changes a definition or a calendar announces it. The instances are shared: read them only.
    """
    tenant = item.tenant if hasattr(item, "tenant") else Tenant.objects.get(pk=item.tenant_id)
    ancestors = tenant.ancestor_ids()

    def load() -> list[SlaDefinition]:
        return list(
            SlaDefinition.objects.filter(active=True)
            .filter(Q(tenant_id=item.tenant_id) | Q(shared=True, tenant_id__in=ancestors))
            .select_related("calendar")
            .order_by("pk")
        )

    return refcache.get(("sla_definitions", item.tenant_id, tuple(ancestors)), load)


# --- the item's SLA summary --------------------------------------------------------------------


SUMMARY_FIELDS = ("sla_next_breach_at", "sla_flagged")


def summary(clocks: Iterable[SlaClock]) -> dict[str, Any]:
    """What lists sort and filter by (agents see every clock): the next running deadline, and
    whether an active clock is flagged — breached, or running past its 75 % warning."""
    next_breach = None
    flagged = False
    for clock in clocks:
        if clock.stage == Stage.IN_PROGRESS:
            if next_breach is None or clock.breach_at < next_breach:
                next_breach = clock.breach_at
            flagged = flagged or clock.has_breached or clock.warned_level >= 75
        elif clock.stage == Stage.PAUSED:
            flagged = flagged or clock.has_breached
    return dict(zip(SUMMARY_FIELDS, (next_breach, flagged), strict=True))


@cache
def _summary_statement(vendor: str) -> tuple[str, list[Any]]:
    """The summary's UPDATE and its fields (to prepare the values), written once per process:
    nearly every write of an item runs it, and compiling the ORM's `update()` cost more than
    running it (issue 6)."""
    from serval.work.models import WorkItem

    fields = [WorkItem._meta.get_field(name) for name in SUMMARY_FIELDS]
    sets = ", ".join(f"{column(WorkItem, name)} = %s" for name in SUMMARY_FIELDS)
    sql = f"UPDATE {table(WorkItem)} SET {sets} WHERE {column(WorkItem, 'id')} = %s"  # noqa: S608
    return sql, fields


def sync_item(item_id: int, clocks: Iterable[SlaClock] | None = None, item: Any = None) -> None:
    """Store the summary on the work item when it changed (same transaction, item locked).

    `clocks` are all of the item's clocks when the caller has them loaded; otherwise they are
    read. `item`, when given, is the caller's instance: it is compared first and kept current.
    """
    if clocks is None:
        clocks = SlaClock.objects.filter(work_item_id=item_id, stage__in=ACTIVE_STAGES).only(
            "stage", "breach_at", "has_breached", "warned_level"
        )
    values = summary(clocks)
    if item is not None and all(getattr(item, k, None) == v for k, v in values.items()):
        return
    sql, fields = _summary_statement(connection.vendor)
    params = [f.get_db_prep_save(values[f.name], connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, item_id])
    if item is not None:
        for name, value in values.items():
            setattr(item, name, value)


def evaluate(item: Any, *, now: datetime | None = None, new: bool = False) -> list[SlaClock]:
    """Bring the item's clocks in line with its current fields; caller holds the item's lock.

    `new=True`: the item was inserted in this transaction, so it has no clocks to read yet.
    """
    now = now or timezone.now()
    clocks = (
        []
        if new
        else list(
            SlaClock.objects.select_for_update(of=("self",))
            .filter(work_item_id=item.pk)
            .select_related("definition__calendar")
            .order_by("definition_id", "cycle")
        )
    )
    latest: dict[int, SlaClock] = {}
    for clock in clocks:
        latest[clock.definition_id] = clock
    definitions = {d.pk: d for d in definitions_for(item)}
    # Clocks of definitions since deactivated keep running to their own end conditions.
    for clock in latest.values():
        definitions.setdefault(clock.definition_id, clock.definition)
    touched: list[SlaClock] = []
    for definition in definitions.values():
        cond = definition.conditions or {}
        start = conditions.matches(item, cond.get("start"), empty=True)
        stop = conditions.matches(item, cond.get("stop"))
        cancel = conditions.matches(item, cond.get("cancel"))
        pause = conditions.matches(item, cond.get("pause"))
        reset = conditions.matches(item, cond.get("reset"))
        current = latest.get(definition.pk)
        if current is not None and current.stage in ACTIVE_STAGES:
            clock = current
            spec = clock_spec(clock)
            if cancel or not start:
                _stop(item, clock, now, spec, cancel=True)
            elif stop:
                _stop(item, clock, now, spec, cancel=False)
            elif reset:
                _stop(item, clock, now, spec, cancel=False)
                _store_figures(clock, now, spec)
                clock.save()
                touched.append(clock)
                if definition.active:
                    touched.append(_attach(item, definition, clock.cycle + 1, now, paused=pause))
                continue
            elif pause and clock.stage == Stage.IN_PROGRESS:
                _pause(item, clock, now, spec)
            elif not pause and clock.stage == Stage.PAUSED:
                _resume(item, clock, now, spec)
            else:
                _fire_due_levels(item, clock, now, spec)
            _store_figures(clock, now, spec)
            clock.save()
            touched.append(clock)
        elif definition.active and start and not stop and not cancel:
            cycle = current.cycle + 1 if current is not None else 1
            touched.append(_attach(item, definition, cycle, now, paused=pause))
    everything = {c.pk: c for c in clocks}
    everything.update((c.pk, c) for c in touched)
    sync_item(item.pk, everything.values(), item)
    return touched


def check_clock(clock_id: int, *, now: datetime | None = None) -> list[int]:
    """Fire due warning levels of one clock (task and sweep); safe to run any number of times."""
    from serval.work.models import WorkItem

    now = now or timezone.now()
    item_id = SlaClock.objects.filter(pk=clock_id).values_list("work_item_id", flat=True).first()
    if item_id is None:
        return []
    item = WorkItem.objects.select_for_update().get(pk=item_id)  # the journal chain's lock
    clock = (
        SlaClock.objects.select_for_update(of=("self",))
        .select_related("definition__calendar")
        .get(pk=clock_id)
    )
    if clock.stage != Stage.IN_PROGRESS or clock.next_check_at is None or clock.next_check_at > now:
        return []
    spec = clock_spec(clock)
    fired = _fire_due_levels(item, clock, now, spec)
    if fired:
        _schedule(clock, spec)
    else:
        # The calendar changed under the clock; aim again without firing.
        clock.next_check_at = None
        _schedule(clock, spec)
    _store_figures(clock, now, spec)
    clock.save()
    if fired:
        sync_item(item.pk, item=item)
    return fired


def due_clock_ids(*, now: datetime, limit: int = 1000) -> list[int]:
    """Running clocks whose next level is due, oldest first, straight off the index."""
    return list(
        SlaClock.objects.filter(stage=Stage.IN_PROGRESS, next_check_at__lte=now)
        .order_by("next_check_at")
        .values_list("pk", flat=True)[:limit]
    )


def recompute(clock: SlaClock, *, now: datetime | None = None) -> None:
    """Re-aim an active clock after its calendar or definition changed (caller holds locks)."""
    now = now or timezone.now()
    spec = clock_spec(clock)
    clock.original_breach_at = calendars.add_business_time(
        clock.start_at, clock.duration_seconds, spec
    )
    clock.breach_at = level_at(clock, 100, spec)
    if clock.stage == Stage.IN_PROGRESS:
        _schedule(clock, spec)
    _store_figures(clock, now, spec)
    clock.save()
    sync_item(clock.work_item_id)
