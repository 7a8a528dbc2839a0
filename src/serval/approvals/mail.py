"""Approval e-mails: a request with signed approve/reject links, and decisions to the requester.

`enqueue(item, event)` is called by `serval.notifications.events.work_item_event` for the
engine's journal events, inside the writer's transaction (the task row commits with the
decision that caused it):

| event                | kind                 | recipients                                        |
|----------------------|----------------------|---------------------------------------------------|
| approval_requested   | approval_requested   | the step's approvers and their active delegates   |
| approved             | approval_decided     | the requester                                     |
| rejected             | approval_rejected    | the requester                                     |

Never the person who caused the event, never anyone who switched the kind off, and — checked
again at send time — only while the recipient may still decide (approvals decided or
delegations ended meanwhile send nothing) and may see the item. Each approver's mail has its
own links (`serval.approvals.links`), so every mail is rendered per recipient; the key of each
send is (kind, event, recipient), so a retried task sends nothing twice.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.tasks import task
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from serval.approvals import engine, links
from serval.approvals.models import Approval, ApprovalState, ApprovalStep
from serval.notifications.models import Event
from serval.people.models import User


def change_url(item: Any) -> str:
    """Where a person reads the item: the change page once it exists, else the approval view."""
    try:
        path = reverse("changes-detail", args=[item.number])
    except NoReverseMatch:
        path = reverse("approvals-change", args=[item.number])
    return settings.BASE_URL + path


def _visible(user: User, item: Any) -> bool:
    from serval.changes.querysets import changes_visible_to
    from serval.work.models import Kind, WorkItem

    qs = changes_visible_to(user) if item.kind == Kind.CHANGE else WorkItem.objects.visible_to(user)
    return qs.filter(pk=item.pk).exists()


def enqueue(item: Any, event: Any) -> None:
    """Queue the mails one approval journal event calls for (inside its transaction)."""
    data = event.data or {}
    if event.verb == "approval_requested":
        approvers = list(
            Approval.objects.filter(
                step_id=data.get("step"), state=ApprovalState.REQUESTED
            ).values_list("approver_id", flat=True)
        )
        delegates = engine.delegates_of(approvers)
        ids = [*approvers, *(d for pk in approvers for d in delegates.get(pk, []))]
        kind = Event.APPROVAL_REQUESTED
    elif event.verb in ("approved", "rejected") and "stage" in data:
        ids = [item.caller_id]
        kind = Event.APPROVAL_DECIDED if event.verb == "approved" else Event.APPROVAL_REJECTED
    else:
        return
    recipients = sorted(
        {pk for pk in ids if pk is not None and pk != event.actor_id and pk != item.caller_id}
        if kind == Event.APPROVAL_REQUESTED
        else {pk for pk in ids if pk is not None and pk != event.actor_id}
    )
    if recipients:
        notify_approval.enqueue(event.pk, str(kind), recipients)


KINDS = frozenset({Event.APPROVAL_REQUESTED, Event.APPROVAL_DECIDED, Event.APPROVAL_REJECTED})


def _subject(kind: str, item: Any, actor: User | None) -> str:
    templates = {
        Event.APPROVAL_REQUESTED: _("[%(number)s] Your approval is requested: %(title)s"),
        Event.APPROVAL_DECIDED: _("[%(number)s] Approved by %(actor)s: %(title)s"),
        Event.APPROVAL_REJECTED: _("[%(number)s] Rejected: %(title)s"),
    }
    return templates[Event(kind)] % {
        "number": item.number,
        "title": item.title,
        "actor": actor.display_name if actor else "Serval",
    }


def _link(path_name: str, *args: Any, query: str = "") -> str:
    return settings.BASE_URL + reverse(path_name, args=list(args)) + query


@task()
def notify_approval(event_id: int, kind: str, recipient_ids: list[int]) -> int:
    """Mail `kind` about journal event `event_id` to the chosen people; returns mails sent."""
    from serval.core.models import JournalEvent
    from serval.notifications import events, mail
    from serval.work.models import WorkItem

    event = JournalEvent.objects.select_related("actor").filter(pk=event_id).first()
    if event is None or kind not in KINDS:
        return 0
    item = (
        WorkItem.objects.select_related("caller", "assignment_group", "change")
        .filter(pk=event.subject_id)
        .first()
    )
    if item is None:
        return 0
    data = event.data or {}
    detail = getattr(item, "change", None)
    base = {
        "item": item,
        "detail": detail,
        "actor": event.actor,
        "data": data,
        "url": change_url(item),
        "mine_url": _link("approvals-mine"),
        "at": event.created_at,
    }
    subject = _subject(kind, item, event.actor)
    template = f"approvals/mail/{kind}"
    sent = 0
    people = events.users(recipient_ids)
    if kind != Event.APPROVAL_REQUESTED:
        return mail.deliver(
            key=f"{kind}:{event.pk}",
            event=kind,
            recipients=people,
            subject=subject,
            template=template,
            context=base,
            actor_id=event.actor_id,
            item=item,
            allowed=lambda user: _visible(user, item),
        )
    step_id = data.get("step")
    step = (
        ApprovalStep.objects.select_related("round").filter(pk=step_id).first()
        if isinstance(step_id, int)
        else None
    )
    if step is None:
        return 0
    open_ = [
        a
        for a in step.approvals.filter(state=ApprovalState.REQUESTED).select_related("approver")
        if engine.is_open(a)
    ]
    for user in people:
        # The approvals this person may decide in the step: their own, those they stand in for.
        theirs = [a for a in open_ if engine.may_act_for(user, a, caller_id=item.caller_id)]
        if not theirs:
            continue
        decisions = []
        for approval in theirs:
            token = links.make_token(approval, user)
            decisions.append(
                {
                    "approval": approval,
                    "on_behalf_of": approval.approver if approval.approver_id != user.pk else None,
                    "approve_url": _link("approvals-link", token, query="?decision=approve"),
                    "reject_url": _link("approvals-link", token, query="?decision=reject"),
                }
            )
        sent += mail.deliver(
            key=f"{kind}:{event.pk}",
            event=kind,
            recipients=[user],
            subject=subject,
            template=template,
            context={
                **base,
                "step": step,
                "decisions": decisions,
                "link_days": settings.APPROVAL_LINK_DAYS,
            },
            actor_id=event.actor_id,
            item=item,
            allowed=lambda u: _visible(u, item),
        )
    return sent
