"""Who hears about what happened to a work item: decided in the writer's transaction.

`work_item_event(item, event)` is called right after each journal record of a work item (from
`serval.work.actions.record`). It turns the journal event into notification kinds, picks the
recipients from the item as it stands in that transaction, and enqueues one `notify_work_item`
task per kind. The queue lives in the same database (django-tasks-db), so the task row commits
or rolls back with the write that caused it: no mail for a change that never happened.

| event                   | recipients                                                  |
|-------------------------|-------------------------------------------------------------|
| assigned (person)       | the new assignee                                            |
| assigned (group only)   | the group's members                                         |
| public comment          | caller, watchers, assignee                                  |
| work note (internal)    | assignee and watchers who are agents — never the caller     |
| resolved                | caller and watchers                                         |
| change scheduled        | the change's requester (DOMAIN.md §2.3 "requester notified")|
| approval requested      | the step's approvers and their active delegates (with signed |
|                         | approve/reject links; `serval.approvals.mail`)              |
| approved / rejected     | the requester (caller)                                      |

The person who caused the event is never among them (checked again at send time, with each
recipient's preferences, visibility of the item, and "agents only" for internal notes).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.db import connection

from serval.core.rawrows import column, table
from serval.notifications.models import Event
from serval.people.models import Team, User

RESOLVED = "resolved"
CHANGE = "change"
# Journal verbs of the approval engine; their mails are built by serval.approvals.mail.
APPROVAL_VERBS = frozenset({"approval_requested", "approved", "rejected"})


def _assignment(item: Any, changes: dict[str, Any]) -> tuple[str, list[int]] | None:
    """("person"|"team", recipient ids) when this write (re)assigned the item."""
    if "assignee" in changes and item.assignee_id is not None:
        return "person", [item.assignee_id]
    if "assignment_group" in changes and item.assignee_id is None and item.assignment_group_id:
        with connection.cursor() as cursor:
            cursor.execute(_members_sql(connection.vendor), [item.assignment_group_id])
            return "team", [user_id for (user_id,) in cursor.fetchall()]
    return None


@cache
def _members_sql(vendor: str) -> str:
    """A team's member ids, written once per process: every create routed to a team reads
    them, and the ORM compiled the query each time (issue 6). Names from the model only."""
    through = Team.members.through
    return (
        f"SELECT {column(through, 'user')} FROM {table(through)}"  # noqa: S608
        f" WHERE {column(through, 'team')} = %s"
    )


def _watchers(item: Any, *, agents_only: bool = False) -> list[int]:
    qs = item.watchers.filter(is_active=True)
    if agents_only:
        qs = qs.filter(role__in=("agent", "manager", "admin"))
    return list(qs.values_list("pk", flat=True))


def notifications_for(item: Any, verb: str, data: dict[str, Any]) -> list[tuple[str, list[int]]]:
    """The (kind, recipient ids) pairs one journal event gives rise to."""
    out: list[tuple[str, list[int]]] = []
    if verb == "created":
        fields = data.get("fields") or {}
        assigned = _assignment(item, {k: v for k, v in fields.items() if v is not None})
        if assigned:
            out.append((Event.ASSIGNED, assigned[1]))
    elif verb in ("updated", "transition"):
        assigned = _assignment(item, data.get("changes") or {})
        if assigned:
            out.append((Event.ASSIGNED, assigned[1]))
        if verb == "transition" and data.get("to") == RESOLVED:
            out.append((Event.RESOLVED, [item.caller_id, *_watchers(item)]))
        if verb == "transition" and item.kind == CHANGE:
            out.extend(_change_moves(item, data))
    elif verb == "comment":
        out.append((Event.COMMENTED, [item.caller_id, *_watchers(item), item.assignee_id]))
    elif verb == "work_note":
        people = [item.assignee_id, *_watchers(item, agents_only=True)]
        out.append((Event.WORK_NOTE, [p for p in people if p != item.caller_id]))
    return out


def _change_moves(item: Any, data: dict[str, Any]) -> list[tuple[str, list[int]]]:
    """A change's requester hears when it is scheduled (a rejection is the approvals' mail)."""
    from serval.changes.states import SCHEDULED

    if data.get("to") == SCHEDULED:
        return [(Event.CHANGE_SCHEDULED, [item.caller_id])]
    return []


def work_item_event(item: Any, event: Any) -> None:
    """Enqueue the notifications a journal event of `item` calls for (inside its transaction)."""
    if event.verb in APPROVAL_VERBS:
        from serval.approvals import mail as approval_mail

        approval_mail.enqueue(item, event)
        return
    if event.verb not in ("created", "updated", "transition", "comment", "work_note"):
        return
    for kind, ids in notifications_for(item, event.verb, event.data or {}):
        recipients = sorted({pk for pk in ids if pk is not None and pk != event.actor_id})
        if not recipients:
            continue
        from serval.notifications.tasks import notify_work_item

        notify_work_item.enqueue(event.pk, str(kind), recipients)


def users(ids: list[int]) -> list[User]:
    """The users with these ids, in the given order (unknown ids are skipped)."""
    by_id = User.objects.in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]
