"""CAB boards and meetings over the API (agents; administrators change boards, change managers
and the chair run meetings): `/boards`, `/meetings`, `/meetings/{id}/agenda`, `/decisions`."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from serval.api.auth import actor
from serval.api.concurrency import etag, expected_version
from serval.api.errors import reference
from serval.api.paging import DEFAULT_LIMIT, MAX_LIMIT, page
from serval.api.schemas import DateTimeIn, Id, In, UserKey, UserRef, problems
from serval.api.workitems import user_ref
from serval.approvals import boards
from serval.approvals.api.common import PageParams, Ref, person, ref
from serval.approvals.models import AgendaItem, Board, BoardMeeting, Decision, MeetingState
from serval.changes.querysets import changes_visible_to
from serval.core.errors import NotFound, PermissionDenied, ValidationFailed
from serval.core.models import Tenant
from serval.core.tenancy import reach
from serval.web.markdown import render_markdown

router = Router(tags=["CAB"])

DECISIONS = {"approve": Decision.APPROVED, "reject": Decision.REJECTED, "defer": Decision.DEFERRED}


class BoardOut(Schema):
    id: int
    name: str
    description: str
    tenant: str
    chair: UserRef | None
    members: list[UserRef] = Field(..., description="Empty: the change managers decide.")
    emergency: bool
    active: bool
    version: int


class BoardPage(Schema):
    items: list[BoardOut]
    next: str | None


class BoardIn(In):
    name: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=4000)
    chair: UserKey | None = None
    members: list[UserKey] = Field(default_factory=list, max_length=200)
    emergency: bool = False
    active: bool = True
    tenant: str | None = Field(None, max_length=64)


class BoardPatch(In):
    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=4000)
    chair: UserKey | None = None
    members: list[UserKey] | None = Field(None, max_length=200)
    emergency: bool | None = None
    active: bool | None = None


class MeetingOut(Schema):
    id: int
    board: Ref
    tenant: str
    starts_at: datetime
    ends_at: datetime
    location: str
    state: str
    minutes: str = Field(..., description="Markdown.")
    minutes_html: str = Field(..., description="The minutes rendered and sanitised.")
    attendees: list[UserRef]
    agenda_items: int
    version: int


class MeetingPage(Schema):
    items: list[MeetingOut]
    next: str | None


class MeetingIn(In):
    board: Id
    starts_at: DateTimeIn
    ends_at: DateTimeIn
    location: str = Field("", max_length=300)
    attendees: list[UserKey] = Field(default_factory=list, max_length=200)


class MeetingPatch(In):
    starts_at: DateTimeIn | None = None
    ends_at: DateTimeIn | None = None
    location: str | None = Field(None, max_length=300)
    minutes: str | None = Field(None, max_length=50000)
    attendees: list[UserKey] | None = Field(None, max_length=200)


class MeetingStateIn(In):
    state: Literal["planned", "held", "cancelled"]


class MeetingFilters(Schema):
    board: Id | None = None
    state: Literal["planned", "held", "cancelled"] | None = None
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: str | None = Field(None, max_length=1000)


class AgendaChange(Schema):
    number: str
    title: str
    state: str
    change_type: str
    risk: str
    planned_start: datetime | None
    planned_end: datetime | None


class AgendaItemOut(Schema):
    id: int
    order: int
    change: AgendaChange
    pending: bool = Field(..., description="The board's step on it waits for a decision now.")
    decision: str = Field(..., description="'', approved, rejected or deferred.")
    notes: str
    decided_by: UserRef | None
    decided_at: datetime | None


class AgendaOut(Schema):
    meeting: int
    items: list[AgendaItemOut]


class AgendaAddIn(In):
    change: str = Field(..., min_length=1, max_length=32, description="A change number.")


class AgendaOrderIn(In):
    order: list[Id] = Field(..., max_length=200, description="Every agenda item id, once.")


class DecisionIn(In):
    change: str = Field(..., min_length=1, max_length=32, description="A change on the agenda.")
    decision: Literal["approve", "reject", "defer"]
    notes: str = Field("", max_length=4000, description="Required to reject.")


class BuiltOut(Schema):
    added: int
    agenda: AgendaOut


# --- shapes -----------------------------------------------------------------------------------


def board_out(board: Board) -> dict[str, Any]:
    return {
        "id": board.pk,
        "name": board.name,
        "description": board.description,
        "tenant": board.tenant.slug,
        "chair": user_ref(board.chair),
        "members": [user_ref(u) for u in board.members.all()],
        "emergency": board.emergency,
        "active": board.active,
        "version": board.version,
    }


def meeting_out(meeting: BoardMeeting) -> dict[str, Any]:
    count = getattr(meeting, "agenda_count", None)
    return {
        "id": meeting.pk,
        "board": ref(meeting.board),
        "tenant": meeting.tenant.slug,
        "starts_at": meeting.starts_at,
        "ends_at": meeting.ends_at,
        "location": meeting.location,
        "state": meeting.state,
        "minutes": meeting.minutes,
        "minutes_html": render_markdown(meeting.minutes),
        "attendees": [user_ref(u) for u in meeting.attendees.all()],
        "agenda_items": count if count is not None else meeting.agenda.count(),
        "version": meeting.version,
    }


def agenda_out(meeting: BoardMeeting) -> dict[str, Any]:
    from serval.changes.models import ChangeDetail

    entries = list(
        AgendaItem.objects.filter(meeting=meeting)
        .select_related("work_item", "decided_by")
        .prefetch_related(Prefetch("work_item__change", queryset=ChangeDetail.objects.all()))
        .order_by("order", "pk")
    )
    pending = set(
        boards.pending_board_steps(meeting.board, [meeting.tenant_id])
        .filter(round__work_item_id__in=[e.work_item_id for e in entries])
        .values_list("round__work_item_id", flat=True)
    )
    items = []
    for e in entries:
        item = e.work_item
        detail = item.change
        items.append(
            {
                "id": e.pk,
                "order": e.order,
                "change": {
                    "number": item.number,
                    "title": item.title,
                    "state": item.state,
                    "change_type": detail.change_type,
                    "risk": detail.risk,
                    "planned_start": detail.planned_start,
                    "planned_end": detail.planned_end,
                },
                "pending": item.pk in pending,
                "decision": e.decision,
                "notes": e.notes,
                "decided_by": user_ref(e.decided_by),
                "decided_at": e.decided_at,
            }
        )
    return {"meeting": meeting.pk, "items": items}


# --- lookups ----------------------------------------------------------------------------------


def _agent(request: HttpRequest) -> Any:
    user = actor(request)
    if not user.is_agent:
        raise PermissionDenied(_("Boards and meetings are agents' work."))
    return user


def _boards(user: Any) -> Any:
    return (
        boards.boards_visible_to(user).select_related("tenant", "chair").prefetch_related("members")
    )


def _board(request: HttpRequest, id: int) -> Board:
    board = _boards(_agent(request)).filter(pk=id).first()
    if board is None:
        raise NotFound(_("No such board."))
    return board  # type: ignore[no-any-return]


def _meetings(user: Any) -> Any:
    return (
        boards.meetings_visible_to(user)
        .select_related("tenant", "board")
        .prefetch_related("attendees")
        .annotate(agenda_count=Count("agenda"))
    )


def _meeting(request: HttpRequest, id: int) -> BoardMeeting:
    meeting = _meetings(_agent(request)).filter(pk=id).first()
    if meeting is None:
        raise NotFound(_("No such meeting."))
    return meeting  # type: ignore[no-any-return]


def _people(keys: list[Any] | None, *, field: str) -> list[Any] | None:
    if keys is None:
        return None
    return [person(k, field=field) for k in keys]


def _entry_for(meeting: BoardMeeting, user: Any, number: str) -> AgendaItem:
    item = changes_visible_to(user).filter(number=number.strip().upper()).first()
    entry = AgendaItem.objects.filter(meeting=meeting, work_item=item).first() if item else None
    if entry is None:
        raise ValidationFailed({"change": _("Not on this meeting's agenda.")})
    return entry


# --- boards -----------------------------------------------------------------------------------


@router.get("/boards", response={200: BoardPage, **problems(403)})
def list_boards(request: HttpRequest, params: Query[PageParams]) -> dict[str, Any]:
    rows, next_link = page(
        request, _boards(_agent(request)), ordering="name", limit=params.limit, cursor=params.cursor
    )
    return {"items": [board_out(b) for b in rows], "next": next_link}


@router.post("/boards", response={201: BoardOut, **problems(403)})
def create_board(request: HttpRequest, payload: BoardIn) -> Status[Any]:
    user = _agent(request)
    tenant = user.tenant
    if payload.tenant is not None:
        tenant = Tenant.objects.filter(pk__in=reach(user), slug=payload.tenant).first()
        if tenant is None:
            raise ValidationFailed({"tenant": _("Unknown tenant.")})
    board = boards.create_board(
        actor=user,
        tenant=tenant,
        name=payload.name,
        description=payload.description,
        chair=person(payload.chair, field="chair"),
        members=_people(payload.members, field="members"),
        emergency=payload.emergency,
        active=payload.active,
    )
    return Status(201, board_out(_board(request, board.pk)))


@router.get("/boards/{id}", response={200: BoardOut, **problems(403, 404)})
def get_board(request: HttpRequest, id: Id, response: HttpResponse) -> dict[str, Any]:
    board = _board(request, id)
    response["ETag"] = etag(board.pk, board.version)
    return board_out(board)


@router.patch("/boards/{id}", response={200: BoardOut, **problems(403, 404, 412)})
def update_board(
    request: HttpRequest, id: Id, payload: BoardPatch, response: HttpResponse
) -> dict[str, Any]:
    user = _agent(request)
    board = _board(request, id)
    raw = payload.model_dump(exclude_unset=True)
    if "chair" in raw:
        raw["chair"] = person(raw["chair"], field="chair")
    if "members" in raw:
        raw["members"] = _people(raw["members"] or [], field="members")
    version = expected_version(request, pk=board.pk, current=board.version)
    boards.update_board(actor=user, board=board, expected_version=version, **raw)
    fresh = _board(request, id)
    response["ETag"] = etag(fresh.pk, fresh.version)
    return board_out(fresh)


@router.delete("/boards/{id}", response={204: None, **problems(403, 404)})
def delete_board(request: HttpRequest, id: Id) -> Status[None]:
    boards.delete_board(actor=_agent(request), board=_board(request, id))
    return Status(204, None)


# --- meetings ---------------------------------------------------------------------------------


@router.get("/meetings", response={200: MeetingPage, **problems(403)})
def list_meetings(request: HttpRequest, filters: Query[MeetingFilters]) -> dict[str, Any]:
    qs = _meetings(_agent(request))
    if filters.board is not None:
        qs = qs.filter(board_id=filters.board)
    if filters.state is not None:
        qs = qs.filter(state=filters.state)
    rows, next_link = page(
        request, qs, ordering="-starts_at", limit=filters.limit, cursor=filters.cursor
    )
    return {"items": [meeting_out(m) for m in rows], "next": next_link}


@router.post("/meetings", response={201: MeetingOut, **problems(403, 404)})
def create_meeting(request: HttpRequest, payload: MeetingIn) -> Status[Any]:
    user = _agent(request)
    with reference("board", _("Unknown board.")):
        board = _board(request, payload.board)
    meeting = boards.create_meeting(
        actor=user,
        board=board,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        location=payload.location,
        attendees=_people(payload.attendees, field="attendees"),
    )
    return Status(201, meeting_out(_meeting(request, meeting.pk)))


@router.get("/meetings/{id}", response={200: MeetingOut, **problems(403, 404)})
def get_meeting(request: HttpRequest, id: Id, response: HttpResponse) -> dict[str, Any]:
    meeting = _meeting(request, id)
    response["ETag"] = etag(meeting.pk, meeting.version)
    return meeting_out(meeting)


@router.patch("/meetings/{id}", response={200: MeetingOut, **problems(403, 404, 412)})
def update_meeting(
    request: HttpRequest, id: Id, payload: MeetingPatch, response: HttpResponse
) -> dict[str, Any]:
    """Re-plan, write the minutes (Markdown), set the attendees; honours If-Match."""
    user = _agent(request)
    meeting = _meeting(request, id)
    raw = payload.model_dump(exclude_unset=True)
    if "attendees" in raw:
        raw["attendees"] = _people(raw["attendees"] or [], field="attendees")
    version = expected_version(request, pk=meeting.pk, current=meeting.version)
    boards.update_meeting(actor=user, meeting=meeting, expected_version=version, **raw)
    fresh = _meeting(request, id)
    response["ETag"] = etag(fresh.pk, fresh.version)
    return meeting_out(fresh)


@router.post("/meetings/{id}/state", response={200: MeetingOut, **problems(403, 404, 412)})
def meeting_state(request: HttpRequest, id: Id, payload: MeetingStateIn) -> dict[str, Any]:
    """Planned → held or cancelled; cancelled → planned."""
    user = _agent(request)
    meeting = _meeting(request, id)
    version = expected_version(request, pk=meeting.pk, current=meeting.version)
    boards.set_meeting_state(
        actor=user, meeting=meeting, state=MeetingState(payload.state), expected_version=version
    )
    return meeting_out(_meeting(request, id))


@router.get("/meetings/{id}/agenda", response={200: AgendaOut, **problems(403, 404)})
def get_agenda(request: HttpRequest, id: Id) -> dict[str, Any]:
    return agenda_out(_meeting(request, id))


@router.post("/meetings/{id}/agenda", response={201: AgendaOut, **problems(403, 404)})
def add_to_agenda(request: HttpRequest, id: Id, payload: AgendaAddIn) -> Status[Any]:
    """Put a change on the agenda by hand."""
    user = _agent(request)
    meeting = _meeting(request, id)
    item = changes_visible_to(user).filter(number=payload.change.strip().upper()).first()
    if item is None:
        raise ValidationFailed({"change": _("Unknown change.")})
    boards.add_to_agenda(actor=user, meeting=meeting, item=item)
    return Status(201, agenda_out(meeting))


@router.post("/meetings/{id}/agenda/build", response={200: BuiltOut, **problems(403, 404)})
def build_agenda(request: HttpRequest, id: Id) -> dict[str, Any]:
    """Add every change with a pending step of the meeting's board."""
    meeting = _meeting(request, id)
    added = boards.build_agenda(actor=_agent(request), meeting=meeting)
    return {"added": added, "agenda": agenda_out(meeting)}


@router.put("/meetings/{id}/agenda/order", response={200: AgendaOut, **problems(403, 404)})
def order_agenda(request: HttpRequest, id: Id, payload: AgendaOrderIn) -> dict[str, Any]:
    meeting = _meeting(request, id)
    boards.reorder_agenda(actor=_agent(request), meeting=meeting, order=list(payload.order))
    return agenda_out(meeting)


@router.delete("/meetings/{id}/agenda/{entry_id}", response={204: None, **problems(403, 404)})
def remove_from_agenda(request: HttpRequest, id: Id, entry_id: Id) -> Status[None]:
    meeting = _meeting(request, id)
    entry = AgendaItem.objects.filter(meeting=meeting, pk=entry_id).first()
    if entry is None:
        raise NotFound(_("Not on this agenda."))
    boards.remove_from_agenda(actor=_agent(request), meeting=meeting, entry=entry)
    return Status(204, None)


@router.get("/meetings/{id}/decisions", response={200: AgendaOut, **problems(403, 404)})
def list_decisions(request: HttpRequest, id: Id) -> dict[str, Any]:
    """The agenda items the board decided on (approved, rejected, deferred)."""
    body = agenda_out(_meeting(request, id))
    body["items"] = [i for i in body["items"] if i["decision"]]
    return body


@router.post("/meetings/{id}/decisions", response={201: AgendaItemOut, **problems(403, 404)})
def record_decision(request: HttpRequest, id: Id, payload: DecisionIn) -> Status[Any]:
    """Record the board's decision on a change of the agenda: approve, reject (notes) or defer.

    Approve and reject decide the board's pending step on the change (the change moves on, or
    back to New); every decision sets the change's CAB date to the meeting's start.
    """
    user = _agent(request)
    meeting = _meeting(request, id)
    entry = _entry_for(meeting, user, payload.change)
    boards.record_decision(
        actor=user,
        meeting=meeting,
        entry=entry,
        decision=DECISIONS[payload.decision],
        notes=payload.notes,
    )
    body = agenda_out(meeting)
    return Status(201, next(i for i in body["items"] if i["id"] == entry.pk))
