"""API pieces every kind of work item shares: journal, attachments, watchers, downloads.

Practice routers (incidents now; problems and changes later) call these after they have found
the item through `visible_to`, so the rules — requesters never see internal events or files,
outsiders get 404 — live once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import FileResponse, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Router

from serval.api.auth import actor
from serval.api.paging import page
from serval.api.schemas import Id, Schema, UserRef, problems
from serval.core.errors import NotFound, ValidationFailed
from serval.core.models import JournalEvent
from serval.people.models import User
from serval.people.querysets import users_visible_to
from serval.work.actions import SUBJECT, attachment_path
from serval.work.models import Attachment, WorkItem


class JournalEventOut(Schema):
    seq: int
    verb: str
    actor: UserRef | None
    data: dict[str, Any]
    internal: bool
    created_at: datetime
    hash: str


class JournalPage(Schema):
    items: list[JournalEventOut]
    next: str | None


class AttachmentOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    internal: bool
    uploaded_by: UserRef
    uploaded_at: datetime
    download_url: str


def user_ref(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "username": user.username, "display_name": user.display_name}


def event_out(event: JournalEvent) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "verb": event.verb,
        "actor": user_ref(event.actor),
        "data": event.data,
        "internal": event.internal,
        "created_at": event.created_at,
        "hash": event.hash,
    }


def journal_events(item: WorkItem, user: User) -> Any:
    """The item's events this user may read: requesters never see internal ones (A4)."""
    qs = JournalEvent.objects.filter(subject_type=SUBJECT, subject_id=item.pk).select_related(
        "actor"
    )
    return qs if user.is_agent else qs.filter(internal=False)


def journal_page(
    request: HttpRequest, item: WorkItem, *, limit: int, cursor: str | None
) -> dict[str, Any]:
    rows, next_link = page(
        request, journal_events(item, actor(request)), ordering="seq", limit=limit, cursor=cursor
    )
    return {"items": [event_out(e) for e in rows], "next": next_link}


def latest_comment(item: WorkItem, user: User) -> dict[str, Any]:
    event = (
        journal_events(item, user)
        .filter(verb__in=("comment", "work_note"), actor=user)
        .order_by("-seq")
        .first()
    )
    if event is None:  # pragma: no cover - the action just wrote it
        raise NotFound()
    return event_out(event)


def attachment_out(attachment: Attachment) -> dict[str, Any]:
    return {
        "id": attachment.pk,
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "internal": attachment.internal,
        "uploaded_by": user_ref(attachment.uploaded_by),
        "uploaded_at": attachment.uploaded_at,
        "download_url": reverse("api:attachment_download", kwargs={"id": attachment.pk}),
    }


def attachments_of(item: WorkItem, user: User) -> list[dict[str, Any]]:
    qs = Attachment.objects.filter(work_item=item).select_related("uploaded_by")
    if not user.is_agent:
        qs = qs.filter(internal=False)
    return [attachment_out(a) for a in qs.order_by("uploaded_at", "pk")]


def find_user(request: HttpRequest, key: int | str | None, *, field: str) -> User:
    """A user the caller can see, by id, username or "me"; else a field error (never a leak)."""
    me = actor(request)
    if key is None or key == "me":
        return me
    qs = users_visible_to(me)
    user = qs.filter(pk=key).first() if isinstance(key, int) else qs.filter(username=key).first()
    if user is None:
        raise ValidationFailed({field: _("Unknown user.")})
    return user


def watchers_of(item: WorkItem) -> list[dict[str, Any]]:
    return [user_ref(u) for u in item.watchers.order_by("username")]  # type: ignore[misc]


# --- downloads ---------------------------------------------------------------------------------

router = Router(tags=["attachments"])


@router.get(
    "/{id}/download",
    url_name="attachment_download",
    response={200: None, **problems(404)},
    openapi_extra={
        "responses": {
            "200": {
                "description": "The file, always as a download.",
                "content": {"application/octet-stream": {"schema": {"type": "string"}}},
            }
        }
    },
)
def download_attachment(request: HttpRequest, id: Id) -> FileResponse:
    """Serve a file only to someone who can see its work item (A2, B3); never inline."""
    user = actor(request)
    qs = Attachment.objects.filter(
        pk=id, work_item_id__in=WorkItem.objects.visible_to(user).values("pk")
    )
    if not user.is_agent:
        qs = qs.filter(internal=False)
    attachment = qs.first()
    if attachment is None:
        raise NotFound(_("No such attachment."))
    path = attachment_path(attachment)
    if not path.is_file():
        raise NotFound(_("No such attachment."))
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
