"""The post-implementation review (PIR) of a change, DOMAIN.md §2.3.

Written in the Review state by agents: were the objectives met, was the backout plan executed,
which incidents the change caused, lessons learned and follow-ups (problems, improvement
items). It is saved as a draft as often as needed and then completed (who, when); a completed
review can be reopened while the change is still in Review. Once the change is closed the
review is read-only.

It is mandatory for unsuccessful, emergency and high/very-high risk changes
(`serval.changes.actions.review_required`, which blocks closing without a completed review).

"Incidents caused" is not typed in: it is the incidents linked to the change with a
`caused_by` link (incident —caused_by→ change). The list is read live; the stored count on the
review is refreshed by every review write and by `links_changed`, which the work-item link
action calls when a link to a change is added or removed.

Concurrency: the change's own version (its ETag) guards review writes, as for every other part
of the change, and each write is journaled on the change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from serval.changes import states as S
from serval.changes.models import (
    RISK_ORDER,
    ChangeDetail,
    ChangeReview,
    ChangeType,
    CloseCode,
    Risk,
)
from serval.core.errors import PermissionDenied, ValidationFailed
from serval.core.text import optional_text
from serval.work.models import Kind, LinkType, WorkItem, WorkItemLink

if TYPE_CHECKING:
    from serval.people.models import User

TEXT_LIMIT = 20000
FIELDS = ("objectives_met", "backout_executed", "lessons", "follow_ups")


# --- reading -------------------------------------------------------------------------------


def required_reasons(item: WorkItem, detail: ChangeDetail) -> list[str]:
    """Why this change needs a review (empty: optional), in the words of the seed rule."""
    reasons = []
    if item.close_code == CloseCode.UNSUCCESSFUL:
        reasons.append(_("the change was unsuccessful"))
    if detail.change_type == ChangeType.EMERGENCY:
        reasons.append(_("it is an emergency change"))
    if RISK_ORDER.get(Risk(detail.risk), 0) >= RISK_ORDER[Risk.HIGH]:
        reasons.append(_("its risk is %s") % Risk(detail.risk).label.lower())
    return reasons


def caused_incidents(item: WorkItem, viewer: User | None = None) -> Any:
    """Incidents linked as caused by this change (those the viewer may see, when given)."""
    qs = WorkItem.objects.filter(
        kind=Kind.INCIDENT,
        links_out__target_id=item.pk,
        links_out__type=LinkType.CAUSED_BY,
    )
    if viewer is not None:
        qs = qs.visible_to(viewer)
    return qs.distinct().order_by("number")


def incident_count(item: WorkItem) -> int:
    return (
        WorkItemLink.objects.filter(
            target_id=item.pk, type=LinkType.CAUSED_BY, source__kind=Kind.INCIDENT
        )
        .values("source_id")
        .distinct()
        .count()
    )


def read_only_reason(item: WorkItem, review: ChangeReview | None) -> str:
    """Why the review cannot be edited now ("" when it can)."""
    if item.state in S.DONE_STATES:
        return _("The change is closed; its review is kept as it was completed.")
    if item.state != S.REVIEW:
        return _("The review is written once the change is implemented (in Review).")
    if review is not None and review.completed_at is not None:
        return _("The review is complete; reopen it to change it.")
    return ""


@dataclass
class ReviewState:
    review: ChangeReview | None
    required: list[str]
    incidents: list[WorkItem] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.review is None:
            return "not_started"
        return "completed" if self.review.completed_at else "draft"


def state_of(item: WorkItem, detail: ChangeDetail, viewer: User | None = None) -> ReviewState:
    review = ChangeReview.objects.select_related("completed_by").filter(change=detail).first()
    return ReviewState(review, required_reasons(item, detail), list(caused_incidents(item, viewer)))


# --- writing -------------------------------------------------------------------------------


def _flag(value: Any, name: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise ValidationFailed({name: _("Yes, no or not answered (null).")})


def clean(raw: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    for name, value in raw.items():
        try:
            if name in ("objectives_met", "backout_executed"):
                out[name] = _flag(value, name)
            elif name in ("lessons", "follow_ups"):
                out[name] = optional_text(value, field=name, limit=TEXT_LIMIT)
            else:
                errors[name] = _("This field cannot be set here.")
        except ValidationFailed as exc:
            errors.update(exc.as_dict())
    if errors:
        raise ValidationFailed(errors)
    return out


def _require_agent(actor: User | None) -> None:
    if actor is None or not actor.is_agent:
        raise PermissionDenied(_("Only agents can review changes."))


def _locked(item: WorkItem, expected_version: int | None) -> tuple[WorkItem, ChangeDetail]:
    from serval.changes.actions import detail_of
    from serval.work import actions as work

    item = work.lock(item)
    work.check_version(item, expected_version)
    return item, detail_of(item, for_update=True)


def _review_for_update(detail: ChangeDetail) -> ChangeReview | None:
    return ChangeReview.objects.select_for_update().filter(change=detail).first()


def save_review(
    *, actor: User, item: WorkItem, expected_version: int | None = None, **raw: Any
) -> ChangeReview:
    """Save the review as a draft (creating it on first save); only in Review, until complete."""
    from serval.work import actions as work

    _require_agent(actor)
    values = clean(raw)
    with transaction.atomic():
        item, detail = _locked(item, expected_version)
        review = _review_for_update(detail)
        reason = read_only_reason(item, review)
        if reason:
            raise ValidationFailed({"review": reason})
        created = review is None
        if review is None:
            review = ChangeReview(change=detail)
        changes: dict[str, Any] = {}
        for name, value in values.items():
            old = getattr(review, name)
            if old != value:
                # Free text is not copied into the journal (as for a change's plans).
                changes[name] = [None, None] if name in ("lessons", "follow_ups") else [old, value]
                setattr(review, name, value)
        count = incident_count(item)
        if count != review.incidents_caused:
            changes["incidents_caused"] = [review.incidents_caused, count]
            review.incidents_caused = count
        if not changes and not created:
            return review
        if not created:
            review.version += 1
        review.save(force_insert=created)
        work.record(
            item,
            verb="review_started" if created else "review_saved",
            actor=actor,
            data={"changes": changes},
        )
        work.bump(item, [])
    return review


def complete_review(
    *, actor: User, item: WorkItem, expected_version: int | None = None, **raw: Any
) -> ChangeReview:
    """Save (optionally with last edits) and complete: objectives and backout answered,
    lessons written. Completing is what lets a change that needs a review close."""
    from serval.work import actions as work

    _require_agent(actor)
    values = clean(raw)
    with transaction.atomic():
        item, detail = _locked(item, expected_version)
        review = _review_for_update(detail)
        reason = read_only_reason(item, review)
        if reason:
            raise ValidationFailed({"review": reason})
        created = review is None
        if review is None:
            review = ChangeReview(change=detail)
        for name, value in values.items():
            setattr(review, name, value)
        errors: dict[str, str] = {}
        if review.objectives_met is None:
            errors["objectives_met"] = _("Say whether the change met its objectives.")
        if review.backout_executed is None:
            errors["backout_executed"] = _("Say whether the backout plan was executed.")
        if not review.lessons:
            errors["lessons"] = _("Write down what was learned (even “nothing new”).")
        if errors:
            raise ValidationFailed(errors)
        review.incidents_caused = incident_count(item)
        review.completed_by, review.completed_at = actor, timezone.now()
        if not created:
            review.version += 1
        review.save(force_insert=created)
        work.record(
            item,
            verb="review_completed",
            actor=actor,
            data={
                "objectives_met": review.objectives_met,
                "backout_executed": review.backout_executed,
                "incidents_caused": review.incidents_caused,
            },
        )
        work.bump(item, [])
    return review


def reopen_review(
    *, actor: User, item: WorkItem, expected_version: int | None = None
) -> ChangeReview:
    """Take a completed review back to draft (only while the change is in Review)."""
    from serval.work import actions as work

    _require_agent(actor)
    with transaction.atomic():
        item, detail = _locked(item, expected_version)
        review = _review_for_update(detail)
        if item.state != S.REVIEW:
            raise ValidationFailed({"review": read_only_reason(item, review)})
        if review is None or review.completed_at is None:
            raise ValidationFailed({"review": _("The review is not complete.")})
        review.completed_by = review.completed_at = None
        review.version += 1
        review.save()
        work.record(item, verb="review_reopened", actor=actor, data={})
        work.bump(item, [])
    return review


def links_changed(item: WorkItem) -> None:
    """Hook for the work-item link action: keep the stored "incidents caused" count current.

    Runs inside the caller's transaction (the change row already locked by it, or locked here);
    a change without a review has nothing to update.
    """
    if item.kind != Kind.CHANGE:
        return
    review = ChangeReview.objects.select_for_update().filter(change_id=item.pk).first()
    if review is None:
        return
    count = incident_count(item)
    if count != review.incidents_caused:
        review.incidents_caused = count
        review.save(update_fields=["incidents_caused", "updated_at"])
