"""Background jobs of IT asset management: reminders before lifecycle dates.

`remind_lifecycle_dates` runs every `SERVAL_REMINDER_INTERVAL` seconds (the scheduler enqueues
each due time once across workers) and records the reminders due (`serval.assets.reminders`);
each recorded reminder enqueues `mail_lifecycle_reminder` in the same transaction. Both are
idempotent (DESIGN.md §2 rule 4).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _

from serval.core.scheduler import Periodic


@task()
def remind_lifecycle_dates() -> int:
    """Record (and enqueue the mail of) every reminder due and not yet recorded."""
    from serval.assets.reminders import record_due

    return len(record_due())


@task()
def mail_lifecycle_reminder(reminder_id: int) -> int:
    """Mail one reminder to the people looking after what it is about; returns mails sent."""
    from serval.assets import reminders
    from serval.assets.models import LifecycleReminder, ReminderKind
    from serval.core.tenancy import reach
    from serval.notifications import mail
    from serval.notifications.models import Event

    reminder = LifecycleReminder.objects.filter(pk=reminder_id).first()
    record: Any = reminders.subject_record(reminder) if reminder is not None else None
    if reminder is None or record is None:
        return 0
    cis = reminders.concerned_cis(reminder)
    days = (reminder.due_date - timezone.localdate()).days
    if reminder.subject_type == "software_version":
        title = f"{record.product.vendor} {record.product.name} {record.version}"
    elif reminder.subject_type == "asset" and record.asset_tag:
        title = f"{record.name} ({record.asset_tag})"
    else:
        title = record.name
    kind = str(ReminderKind(reminder.kind).label)
    path = {
        "asset": lambda: f"/assets/{record.pk}/",
        "contract": lambda: "/assets/contracts/",
        "software_version": lambda: "/assets/eol/",
    }[reminder.subject_type]()
    subject = _("%(kind)s in %(days)d days: %(title)s (%(date)s)") % {
        "kind": kind,
        "days": max(days, 0),
        "title": title,
        "date": reminder.due_date.isoformat(),
    }
    sent = mail.deliver(
        key=f"reminder:{reminder.pk}",
        event=str(Event.LIFECYCLE_REMINDER),
        recipients=reminders.recipients(reminder, cis),
        subject=subject,
        template="assets/mail/lifecycle_reminder",
        context={
            "kind": kind,
            "title": title,
            "due_date": reminder.due_date,
            "days": days,
            "cis": cis[:20],
            "more_cis": max(0, len(cis) - 20),
            "url": settings.BASE_URL + path,
        },
        allowed=lambda user: user.is_agent and reminder.tenant_id in reach(user),
    )
    if sent:
        LifecycleReminder.objects.filter(pk=reminder.pk).update(sent=reminder.sent + sent)
    return sent


SCHEDULE = [
    Periodic(
        name="assets.reminders",
        task=remind_lifecycle_dates,
        every=lambda: settings.REMINDER_INTERVAL,
    ),
]
