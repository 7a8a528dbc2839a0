"""SLA clocks for generated incidents: what `serval.sla.engine` would have left behind, in memory.

`serval bench-data` writes incidents with their journals in bulk; this adds the clocks the
engine would hold for each of them (issue 6: the queue sorts by next breach, the sweep reads
running clocks). Per incident and per active definition whose start condition matches, one
clock is simulated along the incident's state path (the times of its journal's transitions):
attached when the incident was opened, then cancelled, completed, paused or resumed by the
definition's own conditions in the engine's order, warning levels (50 / 75 / 100 %) fired up to
the end of the path or up to now, figures stored as of that instant, and `next_check_at` aimed
at the next level still to fire — as a worker that kept up would leave them, so a server started
on the data has no backlog of due clocks to work through while it is being measured.

Simplifications, on purpose: one cycle per definition (a `reset` condition is not simulated,
none of the seeded definitions has one), the calendar's own time zone (generated users have no
zone of their own), and no journal events for the clocks (the timeline's SLA lines are not
generated; the clocks are what the queue, the SLA card and the sweep read).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from serval.sla import calendars, conditions, engine
from serval.sla.models import WARNING_LEVELS, SlaDefinition, Stage

Step = tuple[datetime, str, str]  # (at, state, hold_reason) from the incident's journal


class ClockMaker:
    """Simulates the clocks of generated incidents for a fixed set of definitions."""

    def __init__(self, definitions: Sequence[SlaDefinition], *, now: datetime) -> None:
        self.now = now
        self._memo: dict[tuple[Any, ...], bool] = {}
        self.definitions: list[tuple[SlaDefinition, dict[str, Any], calendars.CalendarSpec]] = []
        specs: dict[int | None, calendars.CalendarSpec] = {}
        for d in definitions:
            if d.calendar_id not in specs:
                specs[d.calendar_id] = (
                    d.calendar.spec() if d.calendar is not None else calendars.TWENTY_FOUR_SEVEN
                )
            self.definitions.append((d, d.conditions or {}, specs[d.calendar_id]))

    def _matches(self, cond: dict[str, Any], kind: str, fields: Any, empty: bool = False) -> bool:
        """`conditions.matches`, remembered by the values of the fields the clauses read (a
        million incidents share a handful of priority × state combinations)."""
        clauses = cond.get(kind)
        if not clauses:
            return empty
        key = (
            id(clauses),
            *(getattr(fields, conditions.FIELDS[c["field"]][0], None) for c in clauses),
        )
        hit = self._memo.get(key)
        if hit is None:
            hit = self._memo[key] = conditions.matches(fields, clauses, empty=empty)
        return hit

    def clocks(self, item: dict[str, Any], path: Sequence[Step]) -> list[dict[str, Any]]:
        """Clock rows (SlaClock attribute names) for one incident with the given state path."""
        fields = SimpleNamespace(**item)
        out = []
        for definition, cond, spec in self.definitions:
            fields.state, fields.hold_reason = path[0][1], path[0][2]
            if not self._matches(cond, "start", fields, empty=True):
                continue
            if self._matches(cond, "stop", fields) or self._matches(cond, "cancel", fields):
                continue
            out.append(self._one(definition, cond, spec, fields, path))
        return out

    def _one(
        self,
        definition: SlaDefinition,
        cond: dict[str, Any],
        spec: calendars.CalendarSpec,
        fields: SimpleNamespace,
        path: Sequence[Step],
    ) -> dict[str, Any]:
        start = min(path[0][0], self.now)
        duration = definition.duration_seconds
        breach = original = calendars.add_business_time(start, duration, spec)
        stage, stop_at, paused_at = Stage.IN_PROGRESS, None, None
        pause = business_pause = 0
        has_breached = False
        if self._matches(cond, "pause", fields):
            stage, paused_at = Stage.PAUSED, start
        for at, state, hold in path[1:]:
            fields.state, fields.hold_reason = state, hold
            cancel = self._matches(cond, "cancel", fields)
            started = self._matches(cond, "start", fields, empty=True)
            stop = self._matches(cond, "stop", fields)
            paused = self._matches(cond, "pause", fields)
            if stage == Stage.PAUSED and (cancel or not started or stop or not paused):
                assert paused_at is not None
                pause += int((at - paused_at).total_seconds())
                business_pause += calendars.business_seconds_between(paused_at, at, spec)
                stage, paused_at = Stage.IN_PROGRESS, None
                breach = calendars.add_business_time(start, duration + business_pause, spec)
            if cancel or not started:
                stage, stop_at = Stage.CANCELLED, at
                break
            if stop:
                stage, stop_at = Stage.COMPLETED, at
                has_breached = at > breach
                break
            if paused and stage == Stage.IN_PROGRESS:
                stage, paused_at = Stage.PAUSED, at
        end = stop_at or self.now
        running_until = paused_at or end
        warned = 0
        for level in WARNING_LEVELS:
            at = calendars.add_business_time(start, duration * level / 100 + business_pause, spec)
            if at > running_until:
                break
            warned = level
        has_breached = has_breached or warned == 100
        next_check = None
        if stage == Stage.IN_PROGRESS:
            pending = [lvl for lvl in WARNING_LEVELS if lvl > warned]
            if pending:
                next_check = calendars.add_business_time(
                    start, duration * pending[0] / 100 + business_pause, spec
                )
        live_pause, live_business_pause = pause, business_pause
        if stage == Stage.PAUSED and paused_at is not None:
            live_pause += max(0, int((end - paused_at).total_seconds()))
            live_business_pause += calendars.business_seconds_between(paused_at, end, spec)
        elapsed = max(0, int((end - start).total_seconds()) - live_pause)
        business = max(
            0, calendars.business_seconds_between(start, end, spec) - live_business_pause
        )
        return {
            "definition_id": definition.pk,
            "cycle": 1,
            "stage": stage.value,
            "has_breached": has_breached,
            "start_at": start,
            "stop_at": stop_at,
            "breach_at": breach,
            "original_breach_at": original,
            "paused_at": paused_at,
            "pause_seconds": pause,
            "business_pause_seconds": business_pause,
            "elapsed_seconds": elapsed,
            "business_elapsed_seconds": business,
            "elapsed_percent": round(100 * elapsed / (duration or 1), 2),
            "business_elapsed_percent": round(100 * business / (duration or 1), 2),
            "duration_seconds": duration,
            "time_zone": spec.time_zone,
            "warned_level": warned,
            "next_check_at": next_check,
            "updated_at": end,
        }


def clock_summary(clocks: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """`serval.sla.engine.summary` for clock rows (dicts) instead of model instances."""
    return engine.summary(SimpleNamespace(**c) for c in clocks)  # type: ignore[misc]
