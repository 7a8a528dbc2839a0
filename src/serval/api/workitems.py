"""API pieces every kind of work item shares: journal, attachments, watchers, downloads, the
affected CIs and services with the impact, and typed links to other items.

Practice routers (incidents, changes, change tasks) mount the shared endpoints with
`mount_common` / `mount_links`, handing over how they find an item through `visible_to` and how
they comment on it, so the rules — requesters never see internal events or files, outsiders get
404, CIs are agents' data — live once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal

from django.http import FileResponse, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile
from pydantic import Field

from serval.api.auth import actor
from serval.api.errors import reference
from serval.api.paging import DEFAULT_LIMIT, MAX_LIMIT, page
from serval.api.schemas import Id, In, Schema, UserKey, UserRef, problems
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
    attachment = Attachment.objects.visible_to(user).filter(pk=id).first()
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


# --- schemas every work-item router shares ------------------------------------------------------

Limit = Annotated[int, Field(ge=1, le=MAX_LIMIT)]


class TransitionOut(Schema):
    to: str
    label: str
    requires: list[str]


class ImpactRef(Schema):
    id: int
    name: str


class PageParams(Schema):
    limit: Limit = DEFAULT_LIMIT
    cursor: str | None = Field(None, max_length=1000)


class CommentIn(In):
    body: str = Field(..., min_length=1, max_length=20000)
    internal: bool = False


class WatcherIn(In):
    user: UserKey | None = Field(None, description="Id or username; default: you.")


class LinkedCIOut(Schema):
    id: int
    name: str
    ci_class: str
    operational_status: str


class LinkedServiceOut(Schema):
    id: int
    name: str
    kind: str
    criticality: str


class CILinkIn(In):
    ci: Id


class WorkItemServiceLinkIn(In):
    service: Id


class ImpactNode(Schema):
    kind: str
    id: int
    name: str


class ImpactedServiceOut(Schema):
    id: int
    name: str
    kind: str
    criticality: str
    depth: int
    direct: bool
    via_ci: ImpactRef | None
    path: list[ImpactNode]


class WorkItemImpactOut(Schema):
    services: list[ImpactedServiceOut]


class LinkedItemRef(Schema):
    number: str
    kind: str
    title: str
    state: str


class WorkLinkOut(Schema):
    id: int
    type: str
    label: str
    side: Literal["source", "target"]
    item: LinkedItemRef
    created_by: UserRef
    created_at: datetime


class WorkLinkIn(In):
    type: Literal["caused_by", "fixes", "implements", "related"]
    item: str = Field(..., min_length=1, max_length=24, description="The other item's number.")


def clean_param(text: str | None, *, field: str) -> str | None:
    """Query and path text: control characters would be a server error on PostgreSQL."""
    if text is not None and any(ord(c) < 32 and c not in "\t\n\r" for c in text):
        raise ValidationFailed({field: _("Control characters are not allowed.")})
    return text


def ci_out(ci: Any) -> dict[str, Any]:
    return {
        "id": ci.pk,
        "name": ci.name,
        "ci_class": ci.ci_class.name,
        "operational_status": ci.operational_status,
    }


def service_out(service: Any) -> dict[str, Any]:
    return {
        "id": service.pk,
        "name": service.name,
        "kind": service.kind,
        "criticality": service.criticality,
    }


def link_out(link: Any) -> dict[str, Any]:
    other = link.other
    return {
        "id": link.id,
        "type": link.type,
        "label": link.label,
        "side": link.side,
        "item": {
            "number": other.number,
            "kind": other.kind,
            "title": other.title,
            "state": other.state,
        },
        "created_by": user_ref(link.created_by),
        "created_at": link.created_at,
    }


# --- the shared endpoints, mounted on each practice's router ------------------------------------

Getter = Callable[[HttpRequest, str], WorkItem]
Commenter = Callable[..., None]


def mount_common(
    router: Router, *, get: Getter, comment: Commenter, noun: str, prefix: str
) -> None:
    """Add comments, journal, attachments and watchers to `router`.

    `get(request, number)` finds the item through `visible_to` (404 otherwise); `comment` is
    the kind's comment action (`actor=, item=, body=, internal=`); `noun` names the item in the
    documentation; `prefix` keeps each operation id unique (e.g. "serval_incidents_api")."""
    from serval.work import actions as work

    def op(name: str) -> dict[str, Any]:
        return {"operation_id": f"{prefix}_{name}", "url_name": f"{prefix}_{name}"}

    @router.post(
        "/{number}/comments",
        response={201: JournalEventOut, **problems(403, 404)},
        summary="Comment",
        description=f"A customer-visible comment on the {noun}, or an internal work note "
        "(agents only).",
        **op("comment"),
    )
    def comment_endpoint(
        request: HttpRequest, number: str, payload: CommentIn
    ) -> Status[dict[str, Any]]:
        item = get(request, number)
        user = actor(request)
        comment(actor=user, item=item, body=payload.body, internal=payload.internal)
        return Status(201, latest_comment(item, user))

    @router.get(
        "/{number}/journal",
        response={200: JournalPage, **problems(404)},
        description=f"The audit trail of the {noun}, oldest first; requesters never see "
        "internal events.",
        summary="Journal",
        **op("journal"),
    )
    def journal(request: HttpRequest, number: str, params: Query[PageParams]) -> dict[str, Any]:
        item = get(request, number)
        cursor = clean_param(params.cursor, field="cursor")
        return journal_page(request, item, limit=params.limit, cursor=cursor)

    @router.get(
        "/{number}/attachments",
        response={200: list[AttachmentOut], **problems(404)},
        summary="List Attachments",
        **op("list_attachments"),
    )
    def list_attachments(request: HttpRequest, number: str) -> list[dict[str, Any]]:
        return attachments_of(get(request, number), actor(request))

    @router.post(
        "/{number}/attachments",
        response={201: AttachmentOut, **problems(403, 404, 413)},
        summary="Upload Attachment",
        description="Attach a file (size, type and content checked by the action; stored "
        "outside web root).",
        **op("upload_attachment"),
    )
    def upload_attachment(
        request: HttpRequest,
        number: str,
        file: File[UploadedFile],
        internal: Form[bool] = False,
    ) -> Status[dict[str, Any]]:
        item = get(request, number)
        attachment = work.add_attachment(
            item=item, actor=actor(request), upload=file, internal=internal
        )
        attachment.uploaded_by = actor(request)
        return Status(201, attachment_out(attachment))

    @router.get(
        "/{number}/watchers",
        response={200: list[UserRef], **problems(404)},
        summary="List Watchers",
        **op("list_watchers"),
    )
    def list_watchers(request: HttpRequest, number: str) -> list[dict[str, Any]]:
        return watchers_of(get(request, number))

    @router.post(
        "/{number}/watchers",
        response={200: list[UserRef], **problems(403, 404)},
        summary="Add Watcher",
        description=f"Watch the {noun} yourself, or (agents) add someone who works in its tenant.",
        **op("add_watcher"),
    )
    def add_watcher(request: HttpRequest, number: str, payload: WatcherIn) -> list[dict[str, Any]]:
        item = get(request, number)
        user = find_user(request, payload.user, field="user")
        work.set_watching(item=item, actor=actor(request), user=user, watching=True)
        return watchers_of(item)

    @router.delete(
        "/{number}/watchers/{username}",
        response={200: list[UserRef], **problems(403, 404)},
        summary="Remove Watcher",
        **op("remove_watcher"),
    )
    def remove_watcher(request: HttpRequest, number: str, username: str) -> list[dict[str, Any]]:
        item = get(request, number)
        key = clean_param(username, field="username") or ""
        user = find_user(request, key if key == "me" else key[:150], field="username")
        work.set_watching(item=item, actor=actor(request), user=user, watching=False)
        return watchers_of(item)


def mount_impact(router: Router, *, get: Getter, noun: str, prefix: str) -> None:
    """Add the affected CIs and services and the impacted services (`serval.cmdb.worklinks`)."""
    from serval.cmdb import worklinks
    from serval.cmdb.querysets import access_ci
    from serval.services.querysets import access_service

    def op(name: str) -> dict[str, Any]:
        return {"operation_id": f"{prefix}_{name}", "url_name": f"{prefix}_{name}"}

    @router.get(
        "/{number}/cis",
        response={200: list[LinkedCIOut], **problems(403, 404)},
        summary="List Cis",
        description=f"The CIs the {noun} affects (agents: CIs are agent data).",
        **op("list_cis"),
    )
    def list_cis(request: HttpRequest, number: str) -> list[dict[str, Any]]:
        item = get(request, number)
        return [ci_out(c) for c in worklinks.linked_cis(item, actor(request))]

    @router.post(
        "/{number}/cis",
        response={201: LinkedCIOut, **problems(403, 404)},
        summary="Link Ci",
        description=f"Name a CI the {noun} affects (one of its tenant); impacted services are "
        "recomputed.",
        **op("link_ci"),
    )
    def link_ci(request: HttpRequest, number: str, payload: CILinkIn) -> Status[dict[str, Any]]:
        item = get(request, number)
        user = actor(request)
        worklinks.ensure_can_link(user, item)  # before the CI look-up: requesters get 403
        with reference("ci", _("Unknown CI.")):
            ci = access_ci(user, payload.ci)
        worklinks.link_ci(actor=user, item=item, ci=ci)
        return Status(201, ci_out(ci))

    @router.delete(
        "/{number}/cis/{ci_id}",
        response={204: None, **problems(403, 404)},
        summary="Unlink Ci",
        **op("unlink_ci"),
    )
    def unlink_ci(request: HttpRequest, number: str, ci_id: Id) -> Status[None]:
        item = get(request, number)
        user = actor(request)
        worklinks.ensure_can_link(user, item)
        worklinks.unlink_ci(actor=user, item=item, ci=access_ci(user, ci_id))
        return Status(204, None)

    @router.get(
        "/{number}/services",
        response={200: list[LinkedServiceOut], **problems(404)},
        summary="List Services",
        description=f"The services the {noun} affects directly (those the caller may see).",
        **op("list_services"),
    )
    def list_services(request: HttpRequest, number: str) -> list[dict[str, Any]]:
        item = get(request, number)
        return [service_out(s) for s in worklinks.linked_services(item, actor(request))]

    @router.post(
        "/{number}/services",
        response={201: LinkedServiceOut, **problems(403, 404)},
        summary="Link Service",
        description=f"Name a service the {noun} affects directly, without a CI.",
        **op("link_service"),
    )
    def link_service(
        request: HttpRequest, number: str, payload: WorkItemServiceLinkIn
    ) -> Status[dict[str, Any]]:
        item = get(request, number)
        user = actor(request)
        worklinks.ensure_can_link(user, item)
        with reference("service", _("Unknown service.")):
            service = access_service(user, payload.service)
        worklinks.link_service(actor=user, item=item, service=service)
        return Status(201, service_out(service))

    @router.delete(
        "/{number}/services/{service_id}",
        response={204: None, **problems(403, 404)},
        summary="Unlink Service",
        **op("unlink_service"),
    )
    def unlink_service(request: HttpRequest, number: str, service_id: Id) -> Status[None]:
        item = get(request, number)
        user = actor(request)
        worklinks.ensure_can_link(user, item)
        worklinks.unlink_service(actor=user, item=item, service=access_service(user, service_id))
        return Status(204, None)

    @router.get(
        "/{number}/impact",
        response={200: WorkItemImpactOut, **problems(404)},
        summary="Impact",
        description=f"The services the {noun} impacts: directly linked, or upstream of its "
        "CIs, with paths.\n\nEach path runs from the linked CI (or the directly linked service) "
        "to the service. Callers who are not agents see only services they may see and no CI "
        "nodes.",
        **op("impact"),
    )
    def impact(request: HttpRequest, number: str) -> dict[str, Any]:
        item = get(request, number)
        rows = worklinks.impacted(item, actor(request))
        return {
            "services": [
                {
                    **service_out(r.service),
                    "depth": r.depth,
                    "direct": r.direct,
                    "via_ci": None
                    if r.via_ci is None
                    else {"id": r.via_ci.pk, "name": r.via_ci.name},
                    "path": [{"kind": n.kind, "id": n.id, "name": n.name} for n in r.path],
                }
                for r in rows
            ]
        }


def mount_links(router: Router, *, get: Getter, noun: str, prefix: str) -> None:
    """Add the typed links to other work items (`serval.work.links`) to `router`."""
    from serval.work import links

    def op(name: str) -> dict[str, Any]:
        return {"operation_id": f"{prefix}_{name}", "url_name": f"{prefix}_{name}"}

    @router.get(
        "/{number}/links",
        response={200: list[WorkLinkOut], **problems(404)},
        summary="List Links",
        description=f"The {noun}'s links to other work items, as read from its side; only "
        "links whose other item the caller may see.",
        **op("list_links"),
    )
    def list_links(request: HttpRequest, number: str) -> list[dict[str, Any]]:
        item = get(request, number)
        return [link_out(link) for link in links.links_of(item, actor(request))]

    @router.post(
        "/{number}/links",
        response={201: WorkLinkOut, **problems(403, 404)},
        summary="Add Link",
        description=f"Link the {noun} to another item of its tenant. `type` is read from this "
        "side: `caused_by` between an incident and a change (either side names it), `fixes` "
        "(change → problem), `implements` (change → request), `related` (any).",
        **op("add_link"),
    )
    def add_link(request: HttpRequest, number: str, payload: WorkLinkIn) -> Status[dict[str, Any]]:
        item = get(request, number)
        user = actor(request)
        if not user.is_agent:
            from serval.core.errors import PermissionDenied

            raise PermissionDenied(_("Only agents can link work items."))
        other = links.find_other(user, clean_param(payload.item, field="item"))
        made = links.link_items(actor=user, item=item, other=other, link_type=payload.type)
        shown = next(x for x in links.links_of(item, user) if x.id == made.pk)
        return Status(201, link_out(shown))

    @router.delete(
        "/{number}/links/{link_id}",
        response={204: None, **problems(403, 404)},
        summary="Remove Link",
        **op("remove_link"),
    )
    def remove_link(request: HttpRequest, number: str, link_id: Id) -> Status[None]:
        item = get(request, number)
        links.unlink_items(actor=actor(request), item=item, link_id=link_id)
        return Status(204, None)
