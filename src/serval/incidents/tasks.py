"""Background jobs of incident management, and when the scheduler runs them.

Tasks are thin adapters over actions and idempotent: running one twice does no harm twice
(DESIGN.md §2 rule 4).
"""

from __future__ import annotations

from django.conf import settings
from django.tasks import task

from serval.core.scheduler import Periodic
from serval.incidents.actions import close_resolved_incidents


@task()
def auto_close_resolved_incidents() -> int:
    """Close incidents resolved more than INCIDENT_AUTO_CLOSE_DAYS ago (DOMAIN.md §2.1)."""
    return close_resolved_incidents(days=settings.INCIDENT_AUTO_CLOSE_DAYS)


SCHEDULE = [
    Periodic(
        name="incidents.auto_close",
        task=auto_close_resolved_incidents,
        every=lambda: settings.AUTOCLOSE_INTERVAL,
        enabled=lambda: settings.INCIDENT_AUTO_CLOSE_DAYS > 0,
    ),
]
