"""Change advisory boards and their meetings (DOMAIN.md §2.3: a CAB is one change authority).

A **board** (name, chair, members, emergency flag) is the approver of a policy step of kind
"board": each member gets an approval and may decide alone (mode "any") from "My approvals",
or the board decides together in a **meeting**. A meeting is planned (start, end, location),
held or cancelled; its **agenda** is built from the changes with a pending step of that board
("build agenda"), plus changes added by hand, in an order people can change; its minutes are
Markdown. Recording the board's decision on an agenda item — approve, reject (with a reason)
or defer — calls `engine.decide_step` for the board's pending step on that change, sets the
change's CAB date and is journaled on the meeting (subject "board_meeting") and on the change.

Who: administrators create and change boards; change managers (role manager or admin) and the
board's chair plan and run its meetings. Boards and meetings are agents' pages; a board of an
ancestor tenant is visible (and usable in policies) below it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from serval.approvals import engine
from serval.approvals.models import (
    AgendaItem,
    ApprovalStep,
    Board,
    BoardMeeting,
    Decision,
    MeetingState,
    PolicyStep,
    RoundState,
    StepState,
)
from serval.core import journal
from serval.core.errors import NotFound, PermissionDenied, ValidationFailed, check_version
from serval.core.models import Tenant
from serval.core.tenancy import reach, shared_reach
from serval.core.text import optional_text, required_text
from serval.people.models import User
from serval.work.models import Kind, WorkItem

BOARD_SUBJECT = "board"
MEETING_SUBJECT = "board_meeting"
BOARD_FIELDS = {"name", "description", "chair", "members", "emergency", "active"}
MEETING_FIELDS = {"starts_at", "ends_at", "location", "minutes", "attendees"}
MAX_MEMBERS = 200
MAX_AGENDA = 200
MAX_MEETING_HOURS = 24
MEETING_MOVES = {
    MeetingState.PLANNED: (MeetingState.HELD, MeetingState.CANCELLED),
    MeetingState.CANCELLED: (MeetingState.PLANNED,),
    MeetingState.HELD: (),
}


# --- who may and what one sees --------------------------------------------------------------


def boards_visible_to(user: User) -> QuerySet[Board]:
    """Agents see the boards of their tenants and of the tenants above them."""
    if not getattr(user, "is_authenticated", False) or not user.is_agent:
        return Board.objects.none()
    return Board.objects.filter(tenant_id__in=shared_reach(user))


def meetings_visible_to(user: User) -> QuerySet[BoardMeeting]:
    if not getattr(user, "is_authenticated", False) or not user.is_agent:
        return BoardMeeting.objects.none()
    return BoardMeeting.objects.filter(tenant_id__in=reach(user))


def access_board(user: User, pk: int) -> Board:
    board = boards_visible_to(user).select_related("chair", "tenant").filter(pk=pk).first()
    if board is None:
        raise NotFound(_("No such board."))
    return board


def access_meeting(user: User, pk: int) -> BoardMeeting:
    meeting = (
        meetings_visible_to(user).select_related("board__chair", "tenant").filter(pk=pk).first()
    )
    if meeting is None:
        raise NotFound(_("No such meeting."))
    return meeting


def can_edit_board(user: User, board: Board | None = None) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_admin:
        return False
    return board is None or board.tenant_id in reach(user)


def can_run(user: User, board: Board) -> bool:
    """Change managers of a tenant the board serves, and its chair, run its meetings."""
    if not getattr(user, "is_authenticated", False) or not user.is_agent:
        return False
    return user.role in ("manager", "admin") or board.chair_id == user.pk


def _require_runner(actor: User, board: Board) -> None:
    if not can_run(actor, board):
        raise PermissionDenied(_("Only change managers and the board's chair run its meetings."))


# --- cleaning ---------------------------------------------------------------------------------


def _person(value: Any, *, tenant_id: int, field: str) -> User:
    user: User | None = None
    if isinstance(value, User):
        user = value
    elif isinstance(value, int) and not isinstance(value, bool):
        user = User.objects.filter(pk=value).first()
    elif isinstance(value, str) and value.strip():
        user = User.objects.filter(username=value.strip()).first()
    if user is None or not user.is_active or tenant_id not in reach(user):
        raise ValidationFailed({field: _("Unknown user.")})
    return user


def _people(value: Any, *, tenant_id: int, field: str) -> list[User]:
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, list | tuple | set):
        raise ValidationFailed({field: _("A list of people.")})
    if len(value) > MAX_MEMBERS:
        raise ValidationFailed({field: _("At most %d people.") % MAX_MEMBERS})
    found = [_person(v, tenant_id=tenant_id, field=field) for v in value]
    return list({u.pk: u for u in found}.values())


def _moment(value: Any, field: str) -> datetime:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError as exc:
            raise ValidationFailed({field: _("A date and time (ISO 8601).")}) from exc
    if not isinstance(value, datetime):
        raise ValidationFailed({field: _("A date and time.")})
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if not 1970 <= value.year <= 9000:
        raise ValidationFailed({field: _("Date out of range.")})
    return value


def _clean_board(raw: dict[str, Any], *, tenant_id: int) -> dict[str, Any]:
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    for name, value in raw.items():
        try:
            if name == "name":
                out[name] = required_text(value, field=name, limit=200)
            elif name == "description":
                out[name] = optional_text(value, field=name, limit=4000)
            elif name == "chair":
                out[name] = (
                    None
                    if value in (None, "")
                    else _person(value, tenant_id=tenant_id, field="chair")
                )
            elif name == "members":
                out[name] = _people(value, tenant_id=tenant_id, field="members")
            elif name in ("emergency", "active"):
                if not isinstance(value, bool):
                    raise ValidationFailed({name: _("True or false.")})
                out[name] = value
        except ValidationFailed as exc:
            errors.update(exc.as_dict())
    if errors:
        raise ValidationFailed(errors)
    return out


def _board_data(board: Board, members: list[User] | None = None) -> dict[str, Any]:
    people = members if members is not None else list(board.members.all())
    return {
        "name": board.name,
        "chair": board.chair.username if board.chair else None,
        "members": sorted(u.username for u in people),
        "emergency": board.emergency,
        "active": board.active,
    }


# --- boards -----------------------------------------------------------------------------------


def create_board(
    *,
    actor: User | None,
    name: Any,
    tenant: Tenant | None = None,
    description: Any = "",
    chair: Any = None,
    members: Any = None,
    emergency: Any = False,
    active: Any = True,
) -> Board:
    """A new board (administrators; `actor=None` is a data migration or the operator)."""
    if actor is not None and not can_edit_board(actor):
        raise PermissionDenied(_("Only administrators can create boards."))
    if tenant is None:
        if actor is None:
            raise ValidationFailed({"tenant": _("Name the tenant.")})
        tenant = actor.tenant
    if actor is not None and tenant.pk not in reach(actor):
        raise NotFound(_("Unknown tenant."))
    values = _clean_board(
        {
            "name": name,
            "description": description,
            "chair": chair,
            "members": members,
            "emergency": emergency,
            "active": active,
        },
        tenant_id=tenant.pk,
    )
    if Board.objects.filter(tenant=tenant, name=values["name"]).exists():
        raise ValidationFailed({"name": _("A board with this name exists.")})
    people = values.pop("members")
    with transaction.atomic():
        board = Board.objects.create(tenant=tenant, **values)
        board.members.set(people)
        journal.append(
            tenant=tenant,
            subject_type=BOARD_SUBJECT,
            subject_id=board.pk,
            verb="created",
            actor=actor,
            data=_board_data(board, people),
        )
    return board


def update_board(
    *, actor: User, board: Board, expected_version: int | None = None, **raw: Any
) -> Board:
    """Change a board: name, description, chair, members, emergency flag, active."""
    unknown = sorted(set(raw) - BOARD_FIELDS)
    if unknown:
        raise ValidationFailed({f: _("Unknown field.") for f in unknown})
    if not can_edit_board(actor, board):
        raise PermissionDenied(_("Only administrators of its tenant can change this board."))
    with transaction.atomic():
        board = (
            Board.objects.select_for_update(of=("self",)).select_related("chair").get(pk=board.pk)
        )
        check_version(expected_version, board.version)
        values = _clean_board(raw, tenant_id=board.tenant_id)
        if "name" in values:
            taken = Board.objects.filter(tenant_id=board.tenant_id, name=values["name"])
            if taken.exclude(pk=board.pk).exists():
                raise ValidationFailed({"name": _("A board with this name exists.")})
        before = _board_data(board)
        people = values.pop("members", None)
        for name, value in values.items():
            setattr(board, name, value)
        board.version += 1
        board.save()
        if people is not None:
            board.members.set(people)
        after = _board_data(board, people)
        if "description" in values:
            before["description"], after["description"] = "…", "…"
        changes = {k: [before.get(k), after[k]] for k in after if before.get(k) != after[k]}
        journal.append(
            tenant=board.tenant_id,
            subject_type=BOARD_SUBJECT,
            subject_id=board.pk,
            verb="updated",
            actor=actor,
            data={"changes": changes},
        )
    return board


def delete_board(*, actor: User, board: Board) -> None:
    """Remove a board nothing refers to; one used by a policy or a meeting is deactivated."""
    if not can_edit_board(actor, board):
        raise PermissionDenied(_("Only administrators of its tenant can change this board."))
    with transaction.atomic():
        board = Board.objects.select_for_update().get(pk=board.pk)
        if PolicyStep.objects.filter(board=board).exists():
            raise ValidationFailed(
                {"board": _("A policy uses this board: remove it there or deactivate the board.")}
            )
        if BoardMeeting.objects.filter(board=board).exists():
            raise ValidationFailed(
                {"board": _("This board has meetings on record: deactivate it instead.")}
            )
        journal.append(
            tenant=board.tenant_id,
            subject_type=BOARD_SUBJECT,
            subject_id=board.pk,
            verb="deleted",
            actor=actor,
            data={"name": board.name},
        )
        board.delete()


# --- meetings ---------------------------------------------------------------------------------


def _meeting_journal(
    meeting: BoardMeeting, verb: str, actor: User | None, data: dict[str, Any]
) -> None:
    journal.append(
        tenant=meeting.tenant_id,
        subject_type=MEETING_SUBJECT,
        subject_id=meeting.pk,
        verb=verb,
        actor=actor,
        data=data,
    )


def _check_span(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise ValidationFailed({"ends_at": _("Must be after the start.")})
    if ends_at - starts_at > timedelta(hours=MAX_MEETING_HOURS):
        raise ValidationFailed(
            {"ends_at": _("A meeting lasts at most %d hours.") % MAX_MEETING_HOURS}
        )


def create_meeting(
    *,
    actor: User,
    board: Board,
    starts_at: Any,
    ends_at: Any,
    location: Any = "",
    attendees: Any = None,
    tenant: Tenant | None = None,
) -> BoardMeeting:
    """Plan a meeting of a board (in the actor's tenant unless another in reach is named)."""
    _require_runner(actor, board)
    tenant = tenant or actor.tenant
    if tenant.pk not in reach(actor):
        raise NotFound(_("Unknown tenant."))
    if board.tenant_id not in (tenant.pk, *tenant.ancestor_ids()):
        raise ValidationFailed({"board": _("Unknown board.")})
    if not board.active:
        raise ValidationFailed({"board": _("This board is not active.")})
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for name, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        try:
            values[name] = _moment(value, name)
        except ValidationFailed as exc:
            errors.update(exc.as_dict())
    try:
        values["location"] = optional_text(location, field="location", limit=300)
    except ValidationFailed as exc:
        errors.update(exc.as_dict())
    try:
        people = _people(attendees, tenant_id=tenant.pk, field="attendees")
    except ValidationFailed as exc:
        errors.update(exc.as_dict())
    if errors:
        raise ValidationFailed(errors)
    _check_span(values["starts_at"], values["ends_at"])
    with transaction.atomic():
        meeting = BoardMeeting.objects.create(
            tenant=tenant, board=board, created_by=actor, **values
        )
        meeting.attendees.set(people)
        _meeting_journal(
            meeting,
            "created",
            actor,
            {
                "board": board.name,
                "starts_at": values["starts_at"].isoformat(),
                "ends_at": values["ends_at"].isoformat(),
                "location": values["location"],
            },
        )
    return meeting


def _lock_meeting(meeting: BoardMeeting, expected_version: int | None = None) -> BoardMeeting:
    locked = (
        BoardMeeting.objects.select_for_update(of=("self",))
        .select_related("board")
        .get(pk=meeting.pk)
    )
    check_version(expected_version, locked.version)
    return locked


def update_meeting(
    *, actor: User, meeting: BoardMeeting, expected_version: int | None = None, **raw: Any
) -> BoardMeeting:
    """Re-plan a meeting, write its minutes, set who attended."""
    unknown = sorted(set(raw) - MEETING_FIELDS)
    if unknown:
        raise ValidationFailed({f: _("Unknown field.") for f in unknown})
    _require_runner(actor, meeting.board)
    with transaction.atomic():
        meeting = _lock_meeting(meeting, expected_version)
        if meeting.state == MeetingState.CANCELLED and set(raw) - {"minutes"}:
            raise ValidationFailed({"state": _("This meeting is cancelled; plan it again first.")})
        errors: dict[str, str] = {}
        values: dict[str, Any] = {}
        for name, value in raw.items():
            try:
                if name in ("starts_at", "ends_at"):
                    values[name] = _moment(value, name)
                elif name == "location":
                    values[name] = optional_text(value, field=name, limit=300)
                elif name == "minutes":
                    values[name] = optional_text(value, field=name, limit=50000)
                elif name == "attendees":
                    values[name] = _people(value, tenant_id=meeting.tenant_id, field=name)
            except ValidationFailed as exc:
                errors.update(exc.as_dict())
        if errors:
            raise ValidationFailed(errors)
        _check_span(
            values.get("starts_at", meeting.starts_at), values.get("ends_at", meeting.ends_at)
        )
        changes: dict[str, Any] = {}
        people = values.pop("attendees", None)
        for name, value in values.items():
            old = getattr(meeting, name)
            if old != value:
                shown = (
                    [old.isoformat(), value.isoformat()]
                    if isinstance(value, datetime)
                    else (["…", "…"] if name == "minutes" else [old, value])
                )
                changes[name] = shown
                setattr(meeting, name, value)
        if people is not None:
            before = sorted(meeting.attendees.values_list("username", flat=True))
            after = sorted(u.username for u in people)
            if before != after:
                meeting.attendees.set(people)
                changes["attendees"] = [before, after]
        if changes:
            meeting.version += 1
            meeting.save()
            _meeting_journal(meeting, "updated", actor, {"changes": changes})
    return meeting


def set_meeting_state(
    *, actor: User, meeting: BoardMeeting, state: str, expected_version: int | None = None
) -> BoardMeeting:
    """Planned → held or cancelled; a cancelled meeting may be planned again."""
    _require_runner(actor, meeting.board)
    with transaction.atomic():
        meeting = _lock_meeting(meeting, expected_version)
        allowed = MEETING_MOVES.get(MeetingState(meeting.state), ())
        if state not in allowed:
            raise ValidationFailed(
                {
                    "state": _("From %(state)s: %(allowed)s.")
                    % {
                        "state": meeting.get_state_display(),
                        "allowed": ", ".join(allowed) or _("no further state"),
                    }
                }
            )
        before = meeting.state
        meeting.state = state
        meeting.version += 1
        meeting.save(update_fields=["state", "version"])
        _meeting_journal(meeting, "state_changed", actor, {"from": before, "to": state})
    return meeting


# --- the agenda -------------------------------------------------------------------------------


def pending_board_steps(board: Board, tenant_ids: list[int]) -> QuerySet[ApprovalStep]:
    """Steps of this board waiting for a decision now, in rounds still open."""
    return ApprovalStep.objects.filter(
        board=board,
        state=StepState.PENDING,
        round__state=RoundState.PENDING,
        round__tenant_id__in=tenant_ids,
    )


def _writable_agenda(meeting: BoardMeeting) -> None:
    if meeting.state == MeetingState.CANCELLED:
        raise ValidationFailed({"state": _("This meeting is cancelled.")})


def _next_order(meeting: BoardMeeting) -> int:
    return (AgendaItem.objects.filter(meeting=meeting).aggregate(n=Max("order"))["n"] or 0) + 1


def build_agenda(*, actor: User, meeting: BoardMeeting) -> int:
    """Add every change with a pending step of the meeting's board; returns how many."""
    _require_runner(actor, meeting.board)
    with transaction.atomic():
        meeting = _lock_meeting(meeting)
        _writable_agenda(meeting)
        present = set(
            AgendaItem.objects.filter(meeting=meeting).values_list("work_item_id", flat=True)
        )
        rows = (
            pending_board_steps(meeting.board, [meeting.tenant_id])
            .select_related("round__work_item__change")
            .order_by("round__work_item__change__planned_start", "round__work_item_id")
        )
        wanted: list[WorkItem] = []
        for step in rows:
            item = step.round.work_item
            if item.pk not in present and item.kind == Kind.CHANGE:
                present.add(item.pk)
                wanted.append(item)
        room = MAX_AGENDA - len(present - {i.pk for i in wanted})
        wanted = wanted[: max(0, room)]
        order = _next_order(meeting)
        AgendaItem.objects.bulk_create(
            AgendaItem(meeting=meeting, work_item=item, order=order + i)
            for i, item in enumerate(wanted)
        )
        if wanted:
            meeting.version += 1
            meeting.save(update_fields=["version"])
            _meeting_journal(meeting, "agenda_built", actor, {"added": [i.number for i in wanted]})
    return len(wanted)


def add_to_agenda(*, actor: User, meeting: BoardMeeting, item: WorkItem) -> AgendaItem:
    """Put one change on the agenda by hand (any change of the meeting's tenant)."""
    _require_runner(actor, meeting.board)
    if item.kind != Kind.CHANGE or item.tenant_id != meeting.tenant_id:
        raise ValidationFailed({"change": _("Unknown change.")})
    with transaction.atomic():
        meeting = _lock_meeting(meeting)
        _writable_agenda(meeting)
        if AgendaItem.objects.filter(meeting=meeting, work_item=item).exists():
            raise ValidationFailed({"change": _("Already on the agenda.")})
        if AgendaItem.objects.filter(meeting=meeting).count() >= MAX_AGENDA:
            raise ValidationFailed({"change": _("At most %d items.") % MAX_AGENDA})
        entry = AgendaItem.objects.create(
            meeting=meeting, work_item=item, order=_next_order(meeting)
        )
        meeting.version += 1
        meeting.save(update_fields=["version"])
        _meeting_journal(meeting, "agenda_added", actor, {"change": item.number})
    return entry


def remove_from_agenda(*, actor: User, meeting: BoardMeeting, entry: AgendaItem) -> None:
    """Take an undecided (or deferred) change off the agenda."""
    _require_runner(actor, meeting.board)
    with transaction.atomic():
        meeting = _lock_meeting(meeting)
        entry = AgendaItem.objects.select_related("work_item").get(pk=entry.pk, meeting=meeting)
        if entry.decision in (Decision.APPROVED, Decision.REJECTED):
            raise ValidationFailed({"change": _("The board decided on it; it stays on record.")})
        number = entry.work_item.number
        entry.delete()
        meeting.version += 1
        meeting.save(update_fields=["version"])
        _meeting_journal(meeting, "agenda_removed", actor, {"change": number})


def reorder_agenda(*, actor: User, meeting: BoardMeeting, order: list[int]) -> None:
    """Set the agenda's order: `order` lists the agenda items' ids, all of them, once each."""
    _require_runner(actor, meeting.board)
    with transaction.atomic():
        meeting = _lock_meeting(meeting)
        entries = {e.pk: e for e in AgendaItem.objects.filter(meeting=meeting)}
        if not isinstance(order, list) or sorted(order) != sorted(entries):
            raise ValidationFailed({"order": _("List every agenda item once.")})
        for position, pk in enumerate(order, start=1):
            entries[pk].order = position
        AgendaItem.objects.bulk_update(entries.values(), ["order"])
        meeting.version += 1
        meeting.save(update_fields=["version"])
        _meeting_journal(meeting, "agenda_reordered", actor, {"order": order})


def move_agenda_item(*, actor: User, meeting: BoardMeeting, entry: AgendaItem, up: bool) -> None:
    """Swap an agenda item with its neighbour above (up) or below."""
    ids = list(
        AgendaItem.objects.filter(meeting=meeting)
        .order_by("order", "pk")
        .values_list("pk", flat=True)
    )
    if entry.pk not in ids:
        raise NotFound(_("Not on this agenda."))
    i = ids.index(entry.pk)
    j = i - 1 if up else i + 1
    if 0 <= j < len(ids):
        ids[i], ids[j] = ids[j], ids[i]
    reorder_agenda(actor=actor, meeting=meeting, order=ids)


# --- decisions ----------------------------------------------------------------------------------


def board_step(meeting: BoardMeeting, item: WorkItem) -> ApprovalStep | None:
    """The meeting's board's step pending on this change now, if any."""
    return (
        pending_board_steps(meeting.board, [item.tenant_id])
        .filter(round__work_item=item)
        .order_by("pk")
        .first()
    )


def record_decision(
    *,
    actor: User,
    meeting: BoardMeeting,
    entry: AgendaItem,
    decision: str,
    notes: Any = "",
) -> AgendaItem:
    """The board's decision on one agenda item: approve, reject (with a reason) or defer."""
    from serval.changes import actions as changes
    from serval.work import actions as work

    _require_runner(actor, meeting.board)
    if decision not in (Decision.APPROVED, Decision.REJECTED, Decision.DEFERRED):
        raise ValidationFailed({"decision": _("Approve, reject or defer.")})
    notes = optional_text(notes, field="notes", limit=4000)
    if decision == Decision.REJECTED and not notes:
        raise ValidationFailed({"notes": _("Say why the board rejects it.")})
    with transaction.atomic():
        meeting = _lock_meeting(meeting)
        if meeting.state == MeetingState.CANCELLED:
            raise ValidationFailed({"state": _("This meeting is cancelled.")})
        entry = AgendaItem.objects.select_for_update().get(pk=entry.pk, meeting=meeting)
        item = work.lock(WorkItem.objects.get(pk=entry.work_item_id))
        if engine.requester_id(item) == actor.pk:
            raise PermissionDenied(_("You asked for this change: another member records it."))
        if entry.decision in (Decision.APPROVED, Decision.REJECTED):
            raise ValidationFailed({"decision": _("The board decided on it already.")})
        step = board_step(meeting, item)
        if decision != Decision.DEFERRED and step is None:
            raise ValidationFailed(
                {"decision": _("%s waits for no decision of this board now.") % item.number}
            )
        changes.update_change(actor=actor, item=item, cab_date=meeting.starts_at)
        item.refresh_from_db()
        if decision == Decision.DEFERRED:
            work.record(
                item,
                verb="cab_deferred",
                actor=actor,
                data={"board": meeting.board.name, "meeting": meeting.pk, "notes": notes},
            )
            work.bump(item, [])
        else:
            assert step is not None
            engine.decide_step(
                actor=actor,
                step=step,
                approve=decision == Decision.APPROVED,
                comment=notes,
                meeting=meeting,
            )
            item.refresh_from_db()  # the change may have moved on (or back to New)
            work.bump(item, [])
        entry.decision, entry.notes = decision, notes
        entry.decided_by, entry.decided_at = actor, timezone.now()
        entry.save(update_fields=["decision", "notes", "decided_by", "decided_at"])
        meeting.version += 1
        meeting.save(update_fields=["version"])
        _meeting_journal(
            meeting,
            "decision_recorded",
            actor,
            {"change": item.number, "decision": decision, "notes": notes},
        )
    return entry
