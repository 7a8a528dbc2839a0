"""Changes API: the post-implementation review and the change outcome report.

- `GET /{number}/review` — whether it is required (and why), its status, the answers, the
  incidents the change caused (from `caused_by` links) and whether it can be edited.
- `PUT /{number}/review` — save as draft (If-Match: the change's ETag); only in Review.
- `POST /{number}/review/complete` — save and complete (who, when); `POST .../review/reopen`.
- `GET /reports/outcomes?from=&to=&group_by=service|team|type|month` — success rate, failure
  rate and emergency share (`serval.changes.reports`); agents.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field, ValidationInfo, field_validator

from serval.api.auth import actor
from serval.api.concurrency import etag, expected_version
from serval.api.schemas import In, UserRef, problems
from serval.api.workitems import user_ref
from serval.changes import reports, review
from serval.changes.actions import detail_of
from serval.changes.api.risk import change_for
from serval.core.errors import PermissionDenied, ValidationFailed
from serval.work.models import WorkItem

router = Router(tags=["changes"])

GroupName = Literal[tuple(reports.GROUPS)]  # type: ignore[valid-type]


class IncidentRef(Schema):
    number: str
    title: str
    state: str


class ReviewOut(Schema):
    number: str
    required: bool
    required_reasons: list[str]
    status: Literal["not_started", "draft", "completed"]
    objectives_met: bool | None
    backout_executed: bool | None
    incidents_caused: int
    incidents: list[IncidentRef]
    lessons: str
    follow_ups: str
    completed_by: UserRef | None
    completed_at: datetime | None
    editable: bool
    read_only_reason: str
    version: int = Field(description="The change's version (its ETag) for If-Match.")


class ReviewIn(In):
    objectives_met: bool | None = None
    backout_executed: bool | None = None
    lessons: str | None = Field(None, max_length=review.TEXT_LIMIT)
    follow_ups: str | None = Field(None, max_length=review.TEXT_LIMIT)


def review_out(item: WorkItem, viewer: Any) -> dict[str, Any]:
    detail = detail_of(item)
    state = review.state_of(item, detail, viewer)
    r = state.review
    reason = review.read_only_reason(item, r)
    return {
        "number": item.number,
        "required": bool(state.required),
        "required_reasons": state.required,
        "status": state.status,
        "objectives_met": r.objectives_met if r else None,
        "backout_executed": r.backout_executed if r else None,
        "incidents_caused": len(state.incidents),
        "incidents": [
            {"number": i.number, "title": i.title, "state": i.state} for i in state.incidents
        ],
        "lessons": r.lessons if r else "",
        "follow_ups": r.follow_ups if r else "",
        "completed_by": user_ref(r.completed_by) if r else None,
        "completed_at": r.completed_at if r else None,
        "editable": not reason,
        "read_only_reason": reason,
        "version": item.version,
    }


def _fields(payload: ReviewIn) -> dict[str, Any]:
    """Only what the client sent (an omitted field is left alone; null clears a yes/no)."""
    return payload.model_dump(exclude_unset=True)


@router.get("/{number}/review", response={200: ReviewOut, **problems(403, 404)})
def get_review(request: HttpRequest, number: str, response: HttpResponse) -> dict[str, Any]:
    item = change_for(request, number)
    response["ETag"] = etag(item.pk, item.version)
    return review_out(item, actor(request))


@router.put("/{number}/review", response={200: ReviewOut, **problems(403, 404, 412)})
def put_review(
    request: HttpRequest, number: str, payload: ReviewIn, response: HttpResponse
) -> dict[str, Any]:
    """Save the review as a draft; only while the change is in Review and not completed."""
    item = change_for(request, number)
    version = expected_version(request, pk=item.pk, current=item.version)
    review.save_review(
        actor=actor(request), item=item, expected_version=version, **_fields(payload)
    )
    item.refresh_from_db()
    response["ETag"] = etag(item.pk, item.version)
    return review_out(item, actor(request))


@router.post("/{number}/review/complete", response={200: ReviewOut, **problems(403, 404, 412)})
def complete_review(
    request: HttpRequest, number: str, payload: ReviewIn, response: HttpResponse
) -> dict[str, Any]:
    """Complete the review (optionally with last edits): objectives and backout answered,
    lessons written. A change that needs a review closes only once it is complete."""
    item = change_for(request, number)
    version = expected_version(request, pk=item.pk, current=item.version)
    review.complete_review(
        actor=actor(request), item=item, expected_version=version, **_fields(payload)
    )
    item.refresh_from_db()
    response["ETag"] = etag(item.pk, item.version)
    return review_out(item, actor(request))


@router.post("/{number}/review/reopen", response={200: ReviewOut, **problems(403, 404, 412)})
def reopen_review(request: HttpRequest, number: str, response: HttpResponse) -> dict[str, Any]:
    """Take a completed review back to draft while the change is still in Review."""
    item = change_for(request, number)
    version = expected_version(request, pk=item.pk, current=item.version)
    review.reopen_review(actor=actor(request), item=item, expected_version=version)
    item.refresh_from_db()
    response["ETag"] = etag(item.pk, item.version)
    return review_out(item, actor(request))


# --- the outcome report ----------------------------------------------------------------------


class OutcomeParams(Schema):
    since: date | None = Field(None, alias="from", description="First day (local), inclusive.")
    until: date | None = Field(None, alias="to", description="Last day (local), inclusive.")
    group_by: GroupName = "month"  # type: ignore[valid-type]

    @field_validator("until")
    @classmethod
    def _ordered(cls, until: date | None, info: ValidationInfo) -> date | None:
        """On the field, so the error names `to` (a model check would name the whole query)."""
        since = info.data.get("since")
        if since and until:
            if until < since:
                raise ValueError(_("'to' must not be before 'from'."))
            if (until - since).days > reports.MAX_SPAN_DAYS:
                raise ValueError(_("At most ten years at a time."))
        return until


class OutcomeRow(Schema):
    key: str
    label: str
    implemented: int
    closed: int
    successful: int
    successful_with_issues: int
    unsuccessful: int
    incident_causing: int
    failed: int
    emergency: int
    success_rate: float | None
    failure_rate: float | None
    emergency_share: float | None


class OutcomeReport(Schema):
    group_by: str
    since: date | None = Field(serialization_alias="from")
    until: date | None = Field(serialization_alias="to")
    success_includes_issues: bool
    totals: OutcomeRow
    rows: list[OutcomeRow]
    truncated: bool


@router.get("/reports/outcomes", response={200: OutcomeReport, **problems(403)}, by_alias=True)
def outcomes(request: HttpRequest, params: Query[OutcomeParams]) -> dict[str, Any]:
    """Change success rate, change failure rate and emergency share over the changes
    implemented in the period, per impacted service, team, type or month (DOMAIN.md §2.12).
    Rates are percentages, null where the denominator is zero."""
    user = actor(request)
    if not user.is_agent:
        raise PermissionDenied(_("Only agents can see change reports."))
    try:
        report = reports.outcomes(
            user, since=params.since, until=params.until, group_by=params.group_by
        )
    except ValueError as exc:  # pragma: no cover - the schema allows only known groups
        raise ValidationFailed({"group_by": _("Unknown grouping.")}) from exc
    return {
        "group_by": report.group_by,
        "since": report.since,
        "until": report.until,
        "success_includes_issues": report.success_includes_issues,
        "totals": report.totals.as_dict(),
        "rows": [r.as_dict() for r in report.rows],
        "truncated": report.truncated,
    }
