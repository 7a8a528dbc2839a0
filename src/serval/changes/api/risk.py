"""Changes API: a change's risk and its questionnaire answers; the questionnaire and the change
policy for administrators (DOMAIN.md §2.3 risk).

- `GET /{number}/risk` — level, questionnaire score, answered/total, the reasons (both
  methods) and the questions with their options and the change's answer; agents only.
- `PUT /{number}/risk/answers` — {"answers": {question id: option id or null}}, with If-Match
  (the change's ETag); refused (422) once the change has left New.
- `/risk-questions` (list, create; `/{id}` read, replace, delete) and `/risk-policy` (read,
  replace): administrators write, change managers and administrators read. Every write is an
  action of `serval.changes.questionnaire`, journaled, and re-assesses the changes in New in a
  background task.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field

from serval.api.auth import actor
from serval.api.concurrency import etag, expected_version
from serval.api.paging import DEFAULT_LIMIT, MAX_LIMIT, page
from serval.api.schemas import Id, In, problems
from serval.changes import questionnaire, risk
from serval.changes.actions import detail_of
from serval.changes.models import ChangePolicy, Risk, RiskQuestion
from serval.core.errors import NotFound, PermissionDenied
from serval.work.models import Kind, WorkItem
from serval.work.querysets import access_work_item

router = Router(tags=["changes"])

Limit = Annotated[int, Field(ge=1, le=MAX_LIMIT)]


# --- schemas ---------------------------------------------------------------------------------


class ReasonOut(Schema):
    method: str
    level: str
    text: str


class OptionOut(Schema):
    id: int
    label: str
    score: int


class QuestionOut(Schema):
    id: int
    text: str
    help_text: str
    weight: int
    options: list[OptionOut]
    answer: int | None = Field(description="The chosen option's id, or null.")


class RiskOut(Schema):
    number: str
    level: str
    level_label: str
    score: int | None = Field(description="Questionnaire total; null until it is complete.")
    answered: int
    total: int
    assessed_at: datetime | None
    reasons: list[ReasonOut]
    questions: list[QuestionOut]
    editable: bool
    read_only_reason: str
    version: int


class AnswersIn(In):
    answers: Annotated[dict[Id, Id | None], Field(max_length=risk.MAX_ANSWERS)] = Field(
        ..., description="Question id → option id; null clears the answer."
    )


class OptionIn(In):
    id: Id | None = Field(None, description="Omit for a new answer.")
    label: str = Field(..., min_length=1, max_length=200)
    score: int = Field(..., ge=0, le=questionnaire.MAX_SCORE)


class QuestionIn(In):
    text: str = Field(..., min_length=1, max_length=300)
    help_text: str = Field("", max_length=500)
    order: int | None = Field(None, ge=0, le=32767)
    weight: int = Field(1, ge=1, le=questionnaire.MAX_WEIGHT)
    active: bool = True
    options: list[OptionIn] = Field(..., max_length=questionnaire.MAX_OPTIONS)


class AdminQuestionOut(Schema):
    id: int
    text: str
    help_text: str
    order: int
    weight: int
    active: bool
    options: list[OptionOut]
    version: int


class QuestionPage(Schema):
    items: list[AdminQuestionOut]
    next: str | None


class RiskPolicyIn(In):
    moderate_from: int = Field(..., ge=1, le=32767)
    high_from: int = Field(..., ge=1, le=32767)
    very_high_from: int = Field(..., ge=1, le=32767)
    lead_time_hours: int = Field(..., ge=0, le=8760)
    recent_failure_days: int = Field(..., ge=0, le=3650)
    many_services: int = Field(..., ge=0, le=1000)
    success_includes_issues: bool = True


class RiskPolicyOut(Schema):
    moderate_from: int
    high_from: int
    very_high_from: int
    lead_time_hours: int
    recent_failure_days: int
    many_services: int
    success_includes_issues: bool
    score_range: list[int] = Field(description="Lowest and highest reachable total.")
    updated_at: datetime
    version: int


# --- helpers ---------------------------------------------------------------------------------


def change_for(request: HttpRequest, number: str) -> WorkItem:
    """A change the caller can see (else 404); risk and review are agents' work (else 403)."""
    user = actor(request)
    item = access_work_item(user, number[:40], kind=Kind.CHANGE)
    if not user.is_agent:
        raise PermissionDenied(_("Only agents can see a change's risk and review."))
    return item


def risk_out(item: WorkItem) -> dict[str, Any]:
    detail = detail_of(item)
    questions = risk.questions_with_answers(detail)
    answered = sum(1 for q in questions if q["answer"] is not None)
    reason = risk.read_only_reason(item)
    return {
        "number": item.number,
        "level": detail.risk,
        "level_label": str(Risk(detail.risk).label),
        "score": detail.risk_score,
        "answered": answered,
        "total": len(questions),
        "assessed_at": detail.risk_assessed_at,
        "reasons": detail.risk_reasons,
        "questions": questions,
        "editable": not reason,
        "read_only_reason": reason,
        "version": item.version,
    }


def _readers_only(request: HttpRequest) -> None:
    if not questionnaire.can_read(actor(request)):
        raise PermissionDenied(_("Only change managers and administrators see the risk policy."))


def question_out(question: RiskQuestion) -> dict[str, Any]:
    return {
        "id": question.pk,
        "text": question.text,
        "help_text": question.help_text,
        "order": question.order,
        "weight": question.weight,
        "active": question.active,
        "options": [
            {"id": o.pk, "label": o.label, "score": o.score} for o in question.options.all()
        ],
        "version": question.version,
    }


def _question(pk: int) -> RiskQuestion:
    question = RiskQuestion.objects.prefetch_related("options").filter(pk=pk).first()
    if question is None:
        raise NotFound(_("No such question."))
    return question


def policy_out(rules: ChangePolicy) -> dict[str, Any]:
    return {
        **{name: getattr(rules, name) for name in questionnaire.POLICY_FIELDS},
        "score_range": list(risk.score_range()),
        "updated_at": rules.updated_at,
        "version": rules.version,
    }


def _question_values(payload: QuestionIn) -> dict[str, Any]:
    values = payload.model_dump()
    if values["order"] is None:
        values.pop("order")
    return values


# --- a change's risk -------------------------------------------------------------------------


@router.get("/{number}/risk", response={200: RiskOut, **problems(403, 404)})
def get_risk(request: HttpRequest, number: str, response: HttpResponse) -> dict[str, Any]:
    """The stored assessment (highest of both methods wins) with its reasons, and the
    questionnaire as this change answered it. The ETag is the change's."""
    item = change_for(request, number)
    response["ETag"] = etag(item.pk, item.version)
    return risk_out(item)


@router.put("/{number}/risk/answers", response={200: RiskOut, **problems(403, 404, 412)})
def put_answers(
    request: HttpRequest, number: str, payload: AnswersIn, response: HttpResponse
) -> dict[str, Any]:
    """Answer (or clear) questions; the risk is re-assessed at once. Only in New."""
    item = change_for(request, number)
    version = expected_version(request, pk=item.pk, current=item.version)
    risk.answer(
        actor=actor(request),
        item=item,
        answers={str(k): v for k, v in payload.answers.items()},
        expected_version=version,
    )
    item.refresh_from_db()
    response["ETag"] = etag(item.pk, item.version)
    return risk_out(item)


# --- the questionnaire -----------------------------------------------------------------------


@router.get("/risk-questions", response={200: QuestionPage, **problems(403)})
def list_questions(
    request: HttpRequest,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Field(max_length=500)] = None,
    active: bool | None = None,
) -> dict[str, Any]:
    """Every question (active and retired), in questionnaire order."""
    _readers_only(request)
    qs = RiskQuestion.objects.prefetch_related("options")
    if active is not None:
        qs = qs.filter(active=active)
    rows, next_link = page(request, qs, ordering="order", limit=limit, cursor=cursor)
    return {"items": [question_out(q) for q in rows], "next": next_link}


@router.post("/risk-questions", response={201: AdminQuestionOut, **problems(403)})
def create_question(
    request: HttpRequest, payload: QuestionIn, response: HttpResponse
) -> Status[dict[str, Any]]:
    """Add a question with its answers (administrators)."""
    question = questionnaire.create_question(actor=actor(request), **_question_values(payload))
    question = _question(question.pk)
    response["ETag"] = etag(question.pk, question.version)
    return Status(201, question_out(question))


@router.get("/risk-questions/{id}", response={200: AdminQuestionOut, **problems(403, 404)})
def get_question(request: HttpRequest, id: Id, response: HttpResponse) -> dict[str, Any]:
    _readers_only(request)
    question = _question(id)
    response["ETag"] = etag(question.pk, question.version)
    return question_out(question)


@router.put("/risk-questions/{id}", response={200: AdminQuestionOut, **problems(403, 404, 412)})
def put_question(
    request: HttpRequest, id: Id, payload: QuestionIn, response: HttpResponse
) -> dict[str, Any]:
    """Replace a question: answers with an id are kept (relabelled, rescored, reordered),
    without one are added, missing ones removed — unless a change chose them."""
    if not questionnaire.can_edit(actor(request)):
        raise PermissionDenied(_("Only administrators can change the risk questionnaire."))
    question = _question(id)
    version = expected_version(request, pk=question.pk, current=question.version)
    questionnaire.update_question(
        actor=actor(request),
        question=question,
        expected_version=version,
        **_question_values(payload),
    )
    question = _question(id)
    response["ETag"] = etag(question.pk, question.version)
    return question_out(question)


@router.delete("/risk-questions/{id}", response={204: None, **problems(403, 404, 412)})
def delete_question(request: HttpRequest, id: Id) -> Status[None]:
    """Remove a question no change has answered; otherwise 422: deactivate it instead."""
    if not questionnaire.can_edit(actor(request)):
        raise PermissionDenied(_("Only administrators can change the risk questionnaire."))
    question = _question(id)
    version = expected_version(request, pk=question.pk, current=question.version)
    questionnaire.delete_question(actor=actor(request), question=question, expected_version=version)
    return Status(204, None)


# --- the policy ------------------------------------------------------------------------------


@router.get("/risk-policy", response={200: RiskPolicyOut, **problems(403)})
def get_policy(request: HttpRequest, response: HttpResponse) -> dict[str, Any]:
    """Questionnaire thresholds (total at or above → level) and the rule calculator's limits."""
    _readers_only(request)
    rules = risk.policy()
    response["ETag"] = etag(rules.pk, rules.version)
    return policy_out(rules)


@router.put("/risk-policy", response={200: RiskPolicyOut, **problems(403, 412)})
def put_policy(
    request: HttpRequest, payload: RiskPolicyIn, response: HttpResponse
) -> dict[str, Any]:
    """Replace the policy (administrators); thresholds must strictly increase."""
    if not questionnaire.can_edit(actor(request)):
        raise PermissionDenied(_("Only administrators can change the risk policy."))
    current = risk.policy()
    version = expected_version(request, pk=current.pk, current=current.version)
    rules = questionnaire.update_policy(
        actor=actor(request), expected_version=version, **payload.model_dump()
    )
    response["ETag"] = etag(rules.pk, rules.version)
    return policy_out(rules)
