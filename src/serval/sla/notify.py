"""E-mail notifications for SLA warnings and breaches (DOMAIN.md §2.5 "Breach warnings").

50 % → assignee; 75 % → assignee + the team's manager; 100 % → assignee, manager and watchers.
With nobody assigned, the team's manager stands in; a definition's `notify_manager` escalation
rule adds the manager at its level too. Sending goes through `serval.notifications.mail`: one
message per recipient, plain-text and HTML parts, a `[INC-1001]` subject tag,
`Auto-Submitted: auto-generated`, per-user preferences, and a `Notification` row per
(event, recipient) so a retried task sends nothing twice. SLA mails go to agents only.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from serval.notifications import mail
from serval.people.models import User
from serval.sla import escalation
from serval.sla.models import SlaClock

item_url = mail.item_url  # kept for callers of the former location


def recipients_for(clock: SlaClock, level: int) -> list[User | None]:
    item = clock.work_item
    team = item.assignment_group
    manager = team.manager if team is not None else None
    people: list[User | None] = [item.assignee]
    if (
        level >= 75
        or item.assignee is None
        or escalation.rules_at(clock.definition, level, "notify_manager")
    ):
        people.append(manager)
    if level >= 100:
        people.extend(item.watchers.all())
    return people


def _agent_who_sees(item: Any) -> Any:
    from serval.work.models import WorkItem

    def allowed(user: User) -> bool:
        return user.is_agent and WorkItem.objects.visible_to(user).filter(pk=item.pk).exists()

    return allowed


def send_sla_notice(*, clock_id: int, level: int) -> int:
    """Mail the people due to hear that a clock reached `level` % (100 = breached)."""
    clock = (
        SlaClock.objects.select_related(
            "definition",
            "work_item__assignee",
            "work_item__assignment_group__manager",
        )
        .filter(pk=clock_id)
        .first()
    )
    if clock is None or clock.warned_level < level:
        return 0
    item = clock.work_item
    breached = level >= 100
    if breached:
        subject = _("[%(number)s] SLA breached: %(definition)s — %(title)s")
        template = "sla/mail/sla_breach"
    else:
        subject = _("[%(number)s] SLA warning: %(level)s%% of %(definition)s used — %(title)s")
        template = "sla/mail/sla_warning"
    subject = subject % {
        "number": item.number,
        "definition": clock.definition.name,
        "level": level,
        "title": item.title,
    }
    context = {
        "item": item,
        "clock": clock,
        "level": level,
        "definition": clock.definition,
        "url": mail.item_url(item),
        "now": timezone.now(),
    }
    return mail.deliver(
        key=f"sla:{clock.pk}:{level}",
        event="sla_breach" if breached else "sla_warning",
        recipients=recipients_for(clock, level),
        subject=subject,
        template=template,
        context=context,
        item=item,
        allowed=_agent_who_sees(item),
    )
