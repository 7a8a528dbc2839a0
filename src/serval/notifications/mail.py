"""Sending one notification e-mail per recipient, once, safely.

Every notification Serval sends goes through `deliver`:

- one message per recipient with only that address in `To` (no Cc, no Bcc), so no recipient
  ever learns who else was told (SECURITY-REFERENCE G4);
- the person who caused the event is skipped, and so is anyone who switched the event off;
- a `Notification` row keyed by (event, recipient) is written in the same transaction as the
  send, so a retried task sends nothing twice; the `Message-ID` is derived from the same key, so
  even a send whose commit was lost is recognisable as a duplicate by the receiving side;
- subjects are folded to one line before they reach a header: a title holding CR/LF cannot add
  headers (G3), and `Auto-Submitted: auto-generated` (RFC 3834) keeps autoresponders quiet.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Iterable
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse

from serval.notifications.models import Preference
from serval.people.models import User

logger = logging.getLogger("serval.notify")
HEADERS = {"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"}
_UNSAFE_ID = re.compile(r"[^A-Za-z0-9.\-]+")


def one_line(text: str, limit: int = 250) -> str:
    """Fold any whitespace (CR, LF, tabs, U+2028, …) to single spaces and cut to `limit`."""
    return " ".join(str(text).split())[:limit]


def mail_domain() -> str:
    """The domain Message-IDs are minted under: the sender's, else a reserved one."""
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    domain = address.rpartition("@")[2] if "@" in address else ""
    return _UNSAFE_ID.sub("", domain) or "serval.invalid"


def message_id(key: str) -> str:
    """A Message-ID that is the same every time the same (event, recipient) is sent."""
    readable = _UNSAFE_ID.sub(".", key)[:60].strip(".")
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return f"<serval.{readable}.{digest}@{mail_domain()}>"


def thread_id(item: Any) -> str:
    """All mails about one work item share a thread root, so mail clients group them."""
    return f"<serval.item.{item.pk}@{mail_domain()}>"


ITEM_PAGES = {
    "incident": "incident-detail",
    "change": "changes-detail",
    "change_task": "changes-task-detail",
}


def item_url(item: Any) -> str:
    """The item's own page: an incident's, a change's or a change task's."""
    name = ITEM_PAGES.get(getattr(item, "kind", "incident"), "incident-detail")
    try:
        path = reverse(name, args=[item.number])
    except NoReverseMatch:
        path = f"/incidents/{item.number}/"
    return settings.BASE_URL + path


def muted(user_ids: Iterable[int], event: str) -> set[int]:
    """Who among `user_ids` switched `event` off."""
    return set(
        Preference.objects.filter(user_id__in=list(user_ids), event=event, enabled=False)
        .values_list("user_id", flat=True)
        .distinct()
    )


def deliver(
    *,
    key: str,
    event: str,
    recipients: Iterable[User | None],
    subject: str,
    template: str,
    context: dict[str, Any],
    actor_id: int | None = None,
    item: Any = None,
    allowed: Callable[[User], bool] | None = None,
) -> int:
    """Send one templated mail to each distinct eligible recipient; returns how many were sent.

    `allowed` is a last check per recipient at send time (visibility, agents only for internal
    notes): recipients are chosen when the event happens, but people and items change before the
    task runs.
    """
    from serval.sla.models import Notification

    people: list[User] = []
    seen: set[int] = set()
    for user in recipients:
        if user is None or user.pk in seen:
            continue
        seen.add(user.pk)
        if actor_id is not None and user.pk == actor_id:
            continue  # never mail the person who caused the event
        if not user.is_active or not user.email:
            continue
        people.append(user)
    silenced = muted((u.pk for u in people), event)
    subject = one_line(subject)
    sent = 0
    for user in people:
        if user.pk in silenced or (allowed is not None and not allowed(user)):
            continue
        full_key = f"{key}:{user.pk}"
        headers = {**HEADERS, "Message-ID": message_id(full_key)}
        if item is not None:
            headers["References"] = headers["In-Reply-To"] = thread_id(item)
        try:
            with transaction.atomic():
                Notification.objects.create(
                    key=full_key[:200], recipient=user, address=user.email, subject=subject[:300]
                )
                ctx = {**context, "recipient": user, "event": event}
                message = EmailMultiAlternatives(
                    subject=subject,
                    body=render_to_string(f"{template}.txt", ctx),
                    from_email=settings.DEFAULT_FROM_EMAIL,
                    to=[user.email],
                    headers=headers,
                )
                message.attach_alternative(render_to_string(f"{template}.html", ctx), "text/html")
                message.send()
        except IntegrityError:
            continue  # an earlier run of this task sent it already
        sent += 1
    return sent
