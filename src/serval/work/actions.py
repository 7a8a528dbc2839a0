"""Kind-independent actions on work items: comments, attachments, watchers, and shared checks.

Every function here runs inside the caller's transaction or opens its own; the journal event is
written in the same transaction as the change it records.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction

from serval.core import errors, journal, rawrows
from serval.core.errors import NotFound, PermissionDenied, ValidationFailed
from serval.core.models import Tenant
from serval.core.rawrows import RowReader, column, select_list, table
from serval.core.tenancy import reach, reference_visible_in
from serval.people.models import Team, User
from serval.work.models import Attachment, WorkItem

MAX_COMMENT = 20000
SUBJECT = "work_item"


def lock(item: WorkItem) -> WorkItem:
    """Re-read the item under a row lock; the journal chain and version depend on it."""
    return WorkItem.objects.select_for_update().get(pk=item.pk)


def check_version(item: WorkItem, expected: int | None) -> None:
    errors.check_version(expected, item.version)


def record(
    item: WorkItem,
    *,
    verb: str,
    actor: User | None,
    data: dict[str, Any] | None = None,
    internal: bool = False,
) -> None:
    event = journal.append(
        tenant=item.tenant_id,
        subject_type=SUBJECT,
        subject_id=item.pk,
        verb=verb,
        actor=actor,
        data=data,
        internal=internal,
    )
    __import__("serval.notifications.events").notifications.events.work_item_event(item, event)


def bump(item: WorkItem, fields: list[str]) -> None:
    item.version += 1
    item.save(update_fields=[*fields, "version", "updated_at"])
    __import__("serval.sla.engine").sla.engine.evaluate(item)  # SLA clocks follow every write


# --- references within reach ------------------------------------------------------------------


def resolve_user(value: Any, *, field: str, item_tenant_id: int) -> User:
    """A user referenced by id or username who works in the item's tenant, else a field error."""
    qs = User.objects.filter(is_active=True)
    if isinstance(value, int) or (isinstance(value, str) and value.isascii() and value.isdecimal()):
        user = qs.filter(pk=int(value)).first()
    elif isinstance(value, str) and value:
        user = qs.filter(username=value).first()
    else:
        user = None
    if user is None or item_tenant_id not in reach(user):
        raise ValidationFailed({field: "Unknown user."})
    return user


@cache
def _team_statement(vendor: str) -> tuple[str, RowReader, RowReader]:
    """A team with its tenant by id, written once per process (`serval.core.rawrows`): every
    routed create reads it, and compiling the ORM's two-table query cost more than running it
    (issue 6). Only identifiers from the models' metadata go into the text."""
    sql = (
        f"SELECT {select_list(Team, 'g')}, {select_list(Tenant, 't')}"  # noqa: S608
        f" FROM {table(Team)} g"
        f" JOIN {table(Tenant)} t ON t.{column(Tenant, 'id')} = g.{column(Team, 'tenant')}"
        f" WHERE g.{column(Team, 'id')} = %s"
    )
    return sql, RowReader(Team), RowReader(Tenant)


def _team(pk: int) -> Team | None:
    """`Team.objects.select_related("tenant").filter(pk=pk).first()`, by the prebuilt statement."""
    sql, read_team, read_tenant = _team_statement(connection.vendor)
    row = rawrows.one(sql, [pk])
    if row is None:
        return None
    team = read_team(row)
    Team._meta.get_field("tenant").set_cached_value(team, read_tenant(row, read_team.width))
    return team  # type: ignore[return-value]


def resolve_team(value: Any, *, field: str, item_tenant: Any) -> Team:
    team = None
    if isinstance(value, int) or (isinstance(value, str) and value.isascii() and value.isdecimal()):
        pk = int(value)
        # Out of a BIGINT's range no team has it (and PostgreSQL would refuse the parameter).
        team = _team(pk) if 0 < pk < 2**63 else None
    if team is None or not reference_visible_in(
        owner_tenant=team.tenant, shared=team.shared, target=item_tenant
    ):
        raise ValidationFailed({field: "Unknown team."})
    return team


# --- comments -----------------------------------------------------------------------------


def clean_body(body: Any, *, field: str = "body") -> str:
    if not isinstance(body, str) or not body.strip():
        raise ValidationFailed({field: "Write something first."})
    if len(body) > MAX_COMMENT:
        raise ValidationFailed({field: f"At most {MAX_COMMENT} characters."})
    if "\x00" in body:  # PostgreSQL refuses NUL in text and JSON; refuse it on both engines
        raise ValidationFailed({field: "Must not contain NUL characters."})
    return body.strip()


def do_add_comment(*, item: WorkItem, actor: User, body: str, internal: bool) -> None:
    """Append a comment (customer-visible) or a work note (internal); caller holds the lock."""
    if internal and not actor.is_agent:
        raise PermissionDenied("Only agents can write internal work notes.")
    record(
        item,
        verb="work_note" if internal else "comment",
        actor=actor,
        data={"body": body},
        internal=internal,
    )
    bump(item, [])


# --- attachments --------------------------------------------------------------------------

ALLOWED_TYPES = {
    # extension: (content type, magic prefixes; empty = text, checked for NUL bytes instead)
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    ".webp": ("image/webp", (b"RIFF",)),
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".zip": ("application/zip", (b"PK\x03\x04",)),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
    ),
    ".xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        (b"PK\x03\x04",),
    ),
    ".txt": ("text/plain", ()),
    ".log": ("text/plain", ()),
    ".csv": ("text/csv", ()),
    ".json": ("application/json", ()),
    ".eml": ("message/rfc822", ()),
}
_SAFE_NAME = re.compile(r"[^\w.\- ()]+", re.UNICODE)


def _clean_filename(name: str) -> str:
    base = Path(name.replace("\\", "/")).name
    base = _SAFE_NAME.sub("_", base).strip(" .")[:200]
    return base or "file"


def check_upload(upload: UploadedFile) -> tuple[str, str]:
    """Size, extension allow-list and a magic-byte check; the client's content type is ignored."""
    if upload.size is None or upload.size > settings.ATTACHMENT_MAX_BYTES:
        limit = settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)
        raise ValidationFailed({"file": f"Files can be at most {limit} MB."})
    if upload.size == 0:
        raise ValidationFailed({"file": "The file is empty."})
    filename = _clean_filename(upload.name or "file")
    ext = Path(filename).suffix.lower()
    if ext not in ALLOWED_TYPES:
        allowed = ", ".join(sorted(ALLOWED_TYPES))
        raise ValidationFailed({"file": f"This file type is not accepted. Allowed: {allowed}."})
    content_type, magics = ALLOWED_TYPES[ext]
    upload.seek(0)
    head = upload.read(4096)
    upload.seek(0)
    if magics and not any(head.startswith(m) for m in magics):
        raise ValidationFailed({"file": "The file's content does not match its extension."})
    if not magics and b"\x00" in head:
        raise ValidationFailed({"file": "A text file must not contain binary data."})
    return filename, content_type


def _store(upload: UploadedFile, tenant_id: int) -> tuple[str, Path, int, str]:
    storage_name = f"{tenant_id}/{uuid.uuid4().hex}"
    path = settings.ATTACHMENT_DIR / storage_name
    path.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    with open(path, "xb") as fh:
        for chunk in upload.chunks():
            size += len(chunk)
            digest.update(chunk)
            fh.write(chunk)
    return storage_name, path, size, digest.hexdigest()


def add_attachment(
    *, item: WorkItem, actor: User, upload: UploadedFile, internal: bool = False
) -> Attachment:
    """Store an uploaded file on an item the actor can see.

    The file is written before the row so a committed row always has its file; if the
    transaction fails, the file is removed again.
    """
    if internal and not actor.is_agent:
        raise PermissionDenied("Only agents can add internal attachments.")
    filename, content_type = check_upload(upload)
    storage_name, path, size, sha = _store(upload, item.tenant_id)
    try:
        with transaction.atomic():
            locked = lock(item)
            attachment = Attachment.objects.create(
                tenant_id=locked.tenant_id,
                work_item=locked,
                filename=filename,
                content_type=content_type,
                size=size,
                sha256=sha,
                storage_name=storage_name,
                uploaded_by=actor,
                internal=internal,
            )
            record(
                locked,
                verb="attachment",
                actor=actor,
                internal=internal,
                data={"attachment": attachment.pk, "filename": filename, "size": size},
            )
            bump(locked, [])
            return attachment
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def attachment_path(attachment: Attachment) -> Path:
    path = (settings.ATTACHMENT_DIR / attachment.storage_name).resolve()
    if settings.ATTACHMENT_DIR.resolve() not in path.parents:
        raise NotFound()
    return path


# --- watchers -----------------------------------------------------------------------------


def set_watching(*, item: WorkItem, actor: User, user: User, watching: bool) -> None:
    """Add or remove a watcher; agents may add anyone in reach, others only themselves."""
    if user.pk != actor.pk and not actor.is_agent:
        raise PermissionDenied("You can only add or remove yourself.")
    with transaction.atomic():
        locked = lock(item)
        if locked.tenant_id not in reach(user):
            raise ValidationFailed({"user": "Unknown user."})
        present = locked.watchers.filter(pk=user.pk).exists()
        if present == watching:
            return
        (locked.watchers.add if watching else locked.watchers.remove)(user)
        record(
            locked,
            verb="watcher_added" if watching else "watcher_removed",
            actor=actor,
            data={"user": user.username},
        )
        bump(locked, [])
