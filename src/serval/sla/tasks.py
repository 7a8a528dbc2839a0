"""Background jobs of service level management, and when the scheduler runs the sweep.

Tasks are thin adapters and idempotent (DESIGN.md §2 rule 4): `check_sla_clock` re-reads the
clock under lock and fires only levels not yet fired; `notify_sla` records each mail it sends.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from serval.core.scheduler import Periodic

logger = logging.getLogger("serval.sla")


@task()
def check_sla_clock(clock_id: int) -> list[int]:
    """Fire the warning or breach a clock has reached (enqueued for that exact instant)."""
    from serval.sla.engine import check_clock

    with transaction.atomic():
        return check_clock(clock_id)


@task()
def sweep_sla_clocks() -> int:
    """Safety net: fire every due level that no exact-instant task has fired yet."""
    return sweep()


def sweep(*, now=None, limit: int = 1000) -> int:  # type: ignore[no-untyped-def]
    """One pass over the due clocks, each in its own transaction; returns levels fired."""
    from serval.sla.engine import check_clock, due_clock_ids

    now = now or timezone.now()
    fired = 0
    for clock_id in due_clock_ids(now=now, limit=limit):
        try:
            with transaction.atomic():
                fired += len(check_clock(clock_id, now=now))
        except Exception:  # one bad clock must not stop the sweep of the others
            logger.exception("SLA sweep failed for clock %s", clock_id)
    return fired


@task()
def notify_sla(clock_id: int, level: int) -> int:
    """Mail the people DOMAIN.md §2.5 names for this level; returns how many were sent."""
    from serval.sla.notify import send_sla_notice

    return send_sla_notice(clock_id=clock_id, level=level)


@task()
def escalate_sla(clock_id: int, level: int) -> int:
    """Apply a definition's escalation rules for a level that fired (idempotent)."""
    from serval.sla.escalation import escalate

    return escalate(clock_id, level)


SCHEDULE = [
    Periodic(
        name="sla.sweep",
        task=sweep_sla_clocks,
        every=lambda: settings.SLA_SWEEP_INTERVAL,
    ),
]
