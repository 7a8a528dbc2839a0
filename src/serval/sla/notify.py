"""E-mail notifications for SLA warnings and breaches (DOMAIN.md §2.5 "Breach warnings").

50 % → assignee; 75 % → assignee + the team's manager; 100 % → assignee, manager and watchers.
With nobody assigned, the team's manager stands in. Each mail has a plain-text and an HTML
part, a `[INC-1001]` subject tag and `Auto-Submitted: auto-generated` (RFC 3834) so
autoresponders stay quiet; the person who caused an event is never mailed about it. A
`Notification` row per (event, recipient) makes a retried task send nothing twice.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from serval.people.models import User
from serval.sla.models import Notification, SlaClock

logger = logging.getLogger("serval.notify")
HEADERS = {"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"}


def item_url(item: Any) -> str:
    try:
        path = reverse("incident-detail", args=[item.number])
    except NoReverseMatch:
        path = f"/incidents/{item.number}/"
    return settings.BASE_URL + path


def deliver(
    *,
    key: str,
    recipients: Iterable[User | None],
    subject: str,
    template: str,
    context: dict[str, Any],
    actor: User | None = None,
) -> int:
    """Send one templated mail to each distinct recipient (never the actor); returns the count."""
    seen: set[int] = set()
    sent = 0
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active or not user.email:
            continue
        seen.add(user.pk)
        if actor is not None and user.pk == actor.pk:
            continue
        try:
            with transaction.atomic():
                Notification.objects.create(
                    key=f"{key}:{user.pk}"[:200],
                    recipient=user,
                    address=user.email,
                    subject=subject[:300],
                )
                ctx = {**context, "recipient": user}
                message = EmailMultiAlternatives(
                    subject=subject,
                    body=render_to_string(f"{template}.txt", ctx),
                    from_email=settings.DEFAULT_FROM_EMAIL,
                    to=[user.email],
                    headers=HEADERS,
                )
                message.attach_alternative(render_to_string(f"{template}.html", ctx), "text/html")
                message.send()
        except IntegrityError:
            continue  # already sent by an earlier run of this task
        sent += 1
    return sent


def recipients_for(clock: SlaClock, level: int) -> list[User | None]:
    item = clock.work_item
    team = item.assignment_group
    manager = team.manager if team is not None else None
    people: list[User | None] = [item.assignee]
    if level >= 75 or item.assignee is None:
        people.append(manager)
    if level >= 100:
        people.extend(item.watchers.all())
    return people


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
        "url": item_url(item),
        "now": timezone.now(),
    }
    return deliver(
        key=f"sla:{clock.pk}:{level}",
        recipients=recipients_for(clock, level),
        subject=subject,
        template=template,
        context=context,
    )
