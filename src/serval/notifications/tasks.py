"""The notification task: render and send the mails one work-item event calls for.

Idempotent (DESIGN.md §2 rule 4): every (event, recipient) is recorded as it is sent, so running
the task again — a retry after a failed SMTP connection, or an admin's "retry" — sends only what
is still missing.
"""

from __future__ import annotations

from typing import Any

from django.tasks import task
from django.utils.translation import gettext_lazy as _

from serval.notifications.models import AGENT_ONLY_EVENTS, Event

SUBJECTS = {
    Event.ASSIGNED: _("[%(number)s] Assigned: %(title)s"),
    Event.COMMENTED: _("[%(number)s] New comment: %(title)s"),
    Event.WORK_NOTE: _("[%(number)s] New work note: %(title)s"),
    Event.RESOLVED: _("[%(number)s] Resolved: %(title)s"),
    Event.CHANGE_SCHEDULED: _("[%(number)s] Scheduled: %(title)s"),
}


@task()
def notify_work_item(event_id: int, kind: str, recipient_ids: list[int]) -> int:
    """Mail `kind` about journal event `event_id` to the chosen people; returns mails sent."""
    from serval.core.models import JournalEvent
    from serval.incidents.states import CLOSE_CODES
    from serval.notifications import events, mail
    from serval.work.models import WorkItem

    event = JournalEvent.objects.filter(pk=event_id).first()
    if event is None or kind not in SUBJECTS:
        return 0
    item = (
        WorkItem.objects.select_related("assignee", "assignment_group", "caller")
        .filter(pk=event.subject_id)
        .first()
    )
    if item is None:
        return 0
    internal = event.internal or kind in AGENT_ONLY_EVENTS

    def allowed(user: Any) -> bool:
        if internal and not user.is_agent:
            return False  # internal notes never reach requesters (SECURITY-REFERENCE A4)
        if kind == Event.WORK_NOTE and user.pk == item.caller_id:
            return False
        return WorkItem.objects.visible_to(user).filter(pk=item.pk).exists()

    data = event.data or {}
    context = {
        "item": item,
        "kind": kind,
        "body": data.get("body", ""),
        "actor": event.actor,
        "team": item.assignment_group,
        "close_notes": item.close_notes,
        "close_code": str(dict(CLOSE_CODES).get(item.close_code, item.close_code)),
        "url": mail.item_url(item),
        "at": event.created_at,
        "rejected": data.get("rejected", ""),
        "planned_start": None,
        "planned_end": None,
    }
    if item.kind == "change":
        from serval.changes.models import ChangeDetail

        detail = ChangeDetail.objects.filter(work_item_id=item.pk).first()
        if detail is not None:
            context["planned_start"], context["planned_end"] = (
                detail.planned_start,
                detail.planned_end,
            )
    subject = str(SUBJECTS[Event(kind)]) % {"number": item.number, "title": item.title}
    return mail.deliver(
        key=f"{kind}:{event.pk}",
        event=kind,
        recipients=events.users(recipient_ids),
        subject=subject,
        template=f"notifications/mail/{kind}",
        context=context,
        actor_id=event.actor_id,
        item=item,
        allowed=allowed,
    )
