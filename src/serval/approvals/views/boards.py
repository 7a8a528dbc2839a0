"""CAB pages: boards (administrators change them), meetings and their agenda (change managers
and the chair run them). Agents only; others get a 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from serval.approvals import boards
from serval.approvals.forms import (
    AgendaAddForm,
    AgendaDecisionForm,
    BoardForm,
    MeetingForm,
    MinutesForm,
    add_action_errors,
)
from serval.approvals.models import AgendaItem, Board, BoardMeeting, MeetingState
from serval.approvals.views.common import PAGE_SIZE, or_404, require_agent, user_of
from serval.changes.querysets import changes_visible_to
from serval.core.errors import NotFound, PermissionDenied, StaleVersion, ValidationFailed
from serval.people.models import User


def _board_initial(board: Board) -> dict[str, Any]:
    return {
        "name": board.name,
        "description": board.description,
        "chair": board.chair.username if board.chair else "",
        "members": ", ".join(u.username for u in board.members.order_by("username")),
        "emergency": board.emergency,
        "active": board.active,
        "version": board.version,
    }


@login_required
@require_GET
def board_list(request: HttpRequest) -> HttpResponse:
    user = require_agent(request)
    qs = (
        boards.boards_visible_to(user)
        .select_related("chair")
        .annotate(member_count=Count("members", distinct=True))
        .order_by("name", "pk")
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    upcoming = list(
        boards.meetings_visible_to(user)
        .filter(state=MeetingState.PLANNED, ends_at__gte=timezone.now())
        .select_related("board")
        .annotate(items=Count("agenda"))
        .order_by("starts_at", "pk")[:10]
    )
    return render(
        request,
        "approvals/board_list.html",
        {
            "page": page,
            "upcoming": upcoming,
            "can_create": boards.can_edit_board(user),
            "section": "cab",
        },
    )


@login_required
def board_create(request: HttpRequest) -> HttpResponse:
    user = require_agent(request)
    if not boards.can_edit_board(user):
        raise Http404()
    form = BoardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            board = boards.create_board(actor=user, **form.action_values())
        except ValidationFailed as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The board “%(name)s” was created.") % {"name": board.name})
            return redirect("approvals-board", pk=board.pk)
    return render(
        request, "approvals/board_form.html", {"form": form, "board": None, "section": "cab"}
    )


@login_required
def board_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The board, its members and meetings; administrators edit it here."""
    user = require_agent(request)
    board = or_404(boards.access_board, user, pk)
    editable = boards.can_edit_board(user, board)
    form = None
    if editable:
        form = BoardForm(request.POST or None, initial=_board_initial(board))
    status = 200
    if request.method == "POST":
        if form is None:
            raise Http404()
        if form.is_valid():
            values = form.action_values()
            try:
                boards.update_board(
                    actor=user,
                    board=board,
                    expected_version=form.cleaned_data.get("version"),
                    **values,
                )
            except StaleVersion:
                messages.error(request, _("Someone else changed this board meanwhile."))
                return redirect("approvals-board", pk=board.pk)
            except ValidationFailed as exc:
                add_action_errors(form, exc)
            else:
                messages.success(request, _("The board was saved."))
                return redirect("approvals-board", pk=board.pk)
        status = 422
    meetings = (
        boards.meetings_visible_to(user)
        .filter(board=board)
        .annotate(items=Count("agenda"))
        .order_by("-starts_at", "-pk")
    )
    context = {
        "board": board,
        "members": list(board.members.order_by("username")),
        "form": form,
        "editable": editable,
        "can_run": boards.can_run(user, board),
        "meetings": Paginator(meetings, PAGE_SIZE).get_page(request.GET.get("page")),
        "pending": boards.pending_board_steps(board, sorted(_reach(user))).count(),
        "section": "cab",
    }
    return render(request, "approvals/board_detail.html", context, status=status)


def _reach(user: User) -> frozenset[int]:
    from serval.core.tenancy import reach

    return reach(user)


@login_required
@require_POST
def board_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = require_agent(request)
    board = or_404(boards.access_board, user, pk)
    try:
        boards.delete_board(actor=user, board=board)
    except PermissionDenied as exc:
        raise Http404() from exc
    except ValidationFailed as exc:
        for message in exc.as_dict().values():
            messages.error(request, message)
        return redirect("approvals-board", pk=board.pk)
    messages.success(request, _("The board “%(name)s” was deleted.") % {"name": board.name})
    return redirect("approvals-boards")


@login_required
def meeting_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = require_agent(request)
    board = or_404(boards.access_board, user, pk)
    if not boards.can_run(user, board):
        raise Http404()
    initial = {"attendees": ", ".join(u.username for u in board.members.order_by("username"))}
    form = MeetingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = boards.create_meeting(actor=user, board=board, **form.action_values())
        except ValidationFailed as exc:
            add_action_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The meeting was planned; build its agenda next."))
            return redirect("approvals-meeting", pk=meeting.pk)
    return render(
        request,
        "approvals/meeting_form.html",
        {"form": form, "board": board, "meeting": None, "section": "cab"},
        status=422 if request.method == "POST" else 200,
    )


# --- the meeting page ---------------------------------------------------------------------------


def _meeting(request: HttpRequest, pk: int) -> tuple[User, BoardMeeting]:
    user = require_agent(request)
    return user, or_404(boards.access_meeting, user, pk)


def _meeting_page(
    request: HttpRequest, meeting: BoardMeeting, *, status: int = 200, **forms: Any
) -> HttpResponse:
    from serval.changes.models import ChangeDetail

    user = user_of(request)
    runner = boards.can_run(user, meeting.board)
    agenda = list(
        AgendaItem.objects.filter(meeting=meeting)
        .select_related("work_item__caller", "decided_by")
        .prefetch_related(
            Prefetch(
                "work_item__change",
                queryset=ChangeDetail.objects.only(
                    "work_item_id", "change_type", "risk", "planned_start", "planned_end"
                ),
            )
        )
        .order_by("order", "pk")
    )
    pending = set(
        boards.pending_board_steps(meeting.board, [meeting.tenant_id])
        .filter(round__work_item_id__in=[a.work_item_id for a in agenda])
        .values_list("round__work_item_id", flat=True)
    )
    rows = [
        {
            "entry": entry,
            "pending": entry.work_item_id in pending,
            "form": forms.get(f"decide:{entry.pk}")
            or AgendaDecisionForm(auto_id=f"d{entry.pk}-%s"),
        }
        for entry in agenda
    ]
    attendees = list(meeting.attendees.order_by("username"))
    context: dict[str, Any] = {
        "meeting": meeting,
        "board": meeting.board,
        "agenda": rows,
        "attendees": attendees,
        "runner": runner,
        "open": meeting.state != MeetingState.CANCELLED,
        "section": "cab",
    }
    if runner:
        context["form"] = forms.get("edit") or MeetingForm(
            initial={
                "starts_at": meeting.starts_at,
                "ends_at": meeting.ends_at,
                "location": meeting.location,
                "attendees": ", ".join(u.username for u in attendees),
                "version": meeting.version,
            }
        )
        context["minutes_form"] = forms.get("minutes") or MinutesForm(
            initial={"minutes": meeting.minutes, "version": meeting.version}
        )
        context["add_form"] = forms.get("add") or AgendaAddForm()
        context["moves"] = boards.MEETING_MOVES.get(MeetingState(meeting.state), ())
    return render(request, "approvals/meeting_detail.html", context, status=status)


@login_required
@require_GET
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _, meeting = _meeting(request, pk)
    return _meeting_page(request, meeting)


def _runner(request: HttpRequest, pk: int) -> tuple[User, BoardMeeting]:
    user, meeting = _meeting(request, pk)
    if not boards.can_run(user, meeting.board):
        raise Http404()
    return user, meeting


def _stale(request: HttpRequest, meeting: BoardMeeting) -> HttpResponse:
    messages.error(
        request, _("Someone else changed this meeting meanwhile; here is the current one.")
    )
    return redirect("approvals-meeting", pk=meeting.pk)


@login_required
@require_POST
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user, meeting = _runner(request, pk)
    form = MeetingForm(request.POST)
    if form.is_valid():
        try:
            boards.update_meeting(
                actor=user,
                meeting=meeting,
                expected_version=form.cleaned_data.get("version"),
                **form.action_values(),
            )
        except StaleVersion:
            return _stale(request, meeting)
        except ValidationFailed as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The meeting was saved."))
            return redirect("approvals-meeting", pk=meeting.pk)
    return _meeting_page(request, meeting, edit=form, status=422)


@login_required
@require_POST
def meeting_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    user, meeting = _runner(request, pk)
    form = MinutesForm(request.POST)
    if form.is_valid():
        try:
            boards.update_meeting(
                actor=user,
                meeting=meeting,
                expected_version=form.cleaned_data.get("version"),
                minutes=form.cleaned_data["minutes"],
            )
        except StaleVersion:
            return _stale(request, meeting)
        except ValidationFailed as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The minutes were saved."))
            return redirect("approvals-meeting", pk=meeting.pk)
    return _meeting_page(request, meeting, minutes=form, status=422)


@login_required
@require_POST
def meeting_state(request: HttpRequest, pk: int) -> HttpResponse:
    user, meeting = _runner(request, pk)
    try:
        boards.set_meeting_state(actor=user, meeting=meeting, state=request.POST.get("state", ""))
    except ValidationFailed as exc:
        for message in exc.as_dict().values():
            messages.error(request, message)
    else:
        messages.success(request, _("The meeting's state was changed."))
    return redirect("approvals-meeting", pk=meeting.pk)


@login_required
@require_POST
def agenda_build(request: HttpRequest, pk: int) -> HttpResponse:
    user, meeting = _runner(request, pk)
    try:
        added = boards.build_agenda(actor=user, meeting=meeting)
    except ValidationFailed as exc:
        for message in exc.as_dict().values():
            messages.error(request, message)
    else:
        if added:
            messages.success(request, _("%(n)d changes were added to the agenda.") % {"n": added})
        else:
            messages.info(request, _("No other change waits for this board."))
    return redirect("approvals-meeting", pk=meeting.pk)


@login_required
@require_POST
def agenda_add(request: HttpRequest, pk: int) -> HttpResponse:
    user, meeting = _runner(request, pk)
    form = AgendaAddForm(request.POST)
    if form.is_valid():
        number = form.cleaned_data["change"].strip().upper()
        item = changes_visible_to(user).filter(number=number, tenant_id=meeting.tenant_id).first()
        if item is None:
            form.add_error("change", _("No change %(number)s here.") % {"number": number})
        else:
            try:
                boards.add_to_agenda(actor=user, meeting=meeting, item=item)
            except ValidationFailed as exc:
                add_action_errors(form, exc)
            else:
                messages.success(request, _("%(number)s is on the agenda.") % {"number": number})
                return redirect("approvals-meeting", pk=meeting.pk)
    return _meeting_page(request, meeting, add=form, status=422)


def _entry(meeting: BoardMeeting, entry_id: int) -> AgendaItem:
    entry = AgendaItem.objects.filter(meeting=meeting, pk=entry_id).first()
    if entry is None:
        raise Http404()
    return entry


@login_required
@require_POST
def agenda_remove(request: HttpRequest, pk: int, entry_id: int) -> HttpResponse:
    user, meeting = _runner(request, pk)
    try:
        boards.remove_from_agenda(actor=user, meeting=meeting, entry=_entry(meeting, entry_id))
    except ValidationFailed as exc:
        for message in exc.as_dict().values():
            messages.error(request, message)
    return redirect("approvals-meeting", pk=meeting.pk)


@login_required
@require_POST
def agenda_move(request: HttpRequest, pk: int, entry_id: int) -> HttpResponse:
    user, meeting = _runner(request, pk)
    try:
        boards.move_agenda_item(
            actor=user,
            meeting=meeting,
            entry=_entry(meeting, entry_id),
            up=request.POST.get("direction") == "up",
        )
    except (ValidationFailed, NotFound) as exc:
        messages.error(request, str(exc))
    return redirect("approvals-meeting", pk=meeting.pk)


@login_required
@require_POST
def agenda_decide(request: HttpRequest, pk: int, entry_id: int) -> HttpResponse:
    user, meeting = _runner(request, pk)
    entry = _entry(meeting, entry_id)
    form = AgendaDecisionForm(request.POST, auto_id=f"d{entry.pk}-%s")
    if form.is_valid():
        try:
            boards.record_decision(
                actor=user,
                meeting=meeting,
                entry=entry,
                decision=form.cleaned_data["decision"],
                notes=form.cleaned_data["notes"],
            )
        except ValidationFailed as exc:
            add_action_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The board's decision was recorded."))
            return redirect("approvals-meeting", pk=meeting.pk)
    return _meeting_page(request, meeting, status=422, **{f"decide:{entry.pk}": form})
