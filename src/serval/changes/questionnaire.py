"""Administering change risk: the questionnaire (questions, options, weights) and the policy
(questionnaire thresholds and the rule calculator's limits), DOMAIN.md §2.3.

Both are install-wide, like the priority matrix: administrators write them, change managers
(role manager) and administrators read them. Every edit is an action that journals on its own
subject — "risk_question" (one chain per question) and "change_policy" — and, when the edit
can move a risk, enqueues `reassess_open_changes` in the same transaction.

What is re-assessed after an edit: the changes in New, the only state whose risk still moves
(`serval.changes.risk`). A submitted change keeps the risk its approvers decided on; an
implemented or closed one keeps the risk its review requirement was judged by. The work runs in
a background task so an edit does not lock every open change inside the admin's request.

Rules kept here: thresholds strictly increase; scores are ≥ 0 and weights ≥ 1; an active
question has at least one option; an option some change chose cannot be removed, and a
question some change answered cannot be deleted — deactivate it instead, so what a past
assessment was based on stays readable.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.tasks import task
from django.utils.translation import gettext as _

from serval.changes import states as S
from serval.changes.models import ChangeDetail, ChangePolicy, RiskAnswer, RiskOption, RiskQuestion
from serval.core import journal
from serval.core.errors import PermissionDenied, StaleVersion, ValidationFailed
from serval.core.text import optional_text

if TYPE_CHECKING:
    from serval.people.models import User

POLICY_SUBJECT, QUESTION_SUBJECT = "change_policy", "risk_question"
READERS = S.CHANGE_MANAGERS
MAX_OPTIONS = 20
MAX_QUESTIONS = 100
MAX_SCORE = 1000
MAX_WEIGHT = 100
# (field, lowest, highest) of the whole-number policy settings.
POLICY_LIMITS = {
    "moderate_from": (1, 32767),
    "high_from": (1, 32767),
    "very_high_from": (1, 32767),
    "lead_time_hours": (0, 8760),
    "recent_failure_days": (0, 3650),
    "many_services": (0, 1000),
}
POLICY_FIELDS = (*POLICY_LIMITS, "success_includes_issues")


def can_read(actor: User | None) -> bool:
    return actor is not None and actor.role in READERS


def can_edit(actor: User | None) -> bool:
    return actor is not None and actor.is_admin


def _require_admin(actor: User) -> None:
    if not can_edit(actor):
        raise PermissionDenied(_("Only administrators can change the risk questionnaire."))


# --- cleaning --------------------------------------------------------------------------------


def _whole(value: Any, field: str, low: int, high: int) -> int:
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationFailed(
            {field: _("A whole number from %(a)d to %(b)d.") % {"a": low, "b": high}}
        )
    return value


def _text(value: Any, field: str, limit: int, *, required: bool) -> str:
    text = optional_text(value, field=field, limit=limit)
    if required and not text:
        raise ValidationFailed({field: _("This field is required.")})
    return text


def _flag(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise ValidationFailed({field: _("True or false.")})
    return value


def clean_policy(raw: dict[str, Any], current: ChangePolicy) -> dict[str, Any]:
    """Known fields only; whole numbers in range; thresholds strictly increasing."""
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    for name, value in raw.items():
        try:
            if name in POLICY_LIMITS:
                out[name] = _whole(value, name, *POLICY_LIMITS[name])
            elif name == "success_includes_issues":
                out[name] = _flag(value, name)
            else:
                errors[name] = _("Unknown field.")
        except ValidationFailed as exc:
            errors.update(exc.as_dict())
    if errors:
        raise ValidationFailed(errors)
    moderate, high, very_high = (
        out.get(name, getattr(current, name))
        for name in ("moderate_from", "high_from", "very_high_from")
    )
    if not moderate < high:
        errors["high_from"] = _("Must be above the Moderate threshold (%d).") % moderate
    if not high < very_high:
        errors["very_high_from"] = _("Must be above the High threshold (%d).") % high
    if errors:
        raise ValidationFailed(errors)
    return out


def _clean_options(raw: Any, question: RiskQuestion | None) -> list[dict[str, Any]]:
    if not isinstance(raw, list | tuple) or len(raw) > MAX_OPTIONS:
        raise ValidationFailed({"options": _("A list of at most %d answers.") % MAX_OPTIONS})
    own = set(question.options.values_list("pk", flat=True)) if question is not None else set()
    errors: dict[str, str] = {}
    out: list[dict[str, Any]] = []
    labels: set[str] = set()
    for index, item in enumerate(raw):
        prefix = f"options.{index}"
        if not isinstance(item, dict) or set(item) - {"id", "label", "score"}:
            errors[prefix] = _("An answer has a label, a score and, once saved, an id.")
            continue
        try:
            pk = item.get("id")
            if pk is not None and (
                isinstance(pk, bool) or not isinstance(pk, int) or pk not in own
            ):
                raise ValidationFailed({f"{prefix}.id": _("Not an answer of this question.")})
            label = _text(item.get("label"), f"{prefix}.label", 200, required=True)
            if label.casefold() in labels:
                raise ValidationFailed({f"{prefix}.label": _("Two answers have this label.")})
            labels.add(label.casefold())
            score = _whole(item.get("score"), f"{prefix}.score", 0, MAX_SCORE)
            out.append({"id": pk, "label": label, "score": score, "order": index + 1})
        except ValidationFailed as exc:
            errors.update(exc.as_dict())
    if errors:
        raise ValidationFailed(errors)
    return out


QUESTION_FIELDS = ("text", "help_text", "order", "weight", "active", "options")


def clean_question(raw: dict[str, Any], question: RiskQuestion | None) -> dict[str, Any]:
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    for name, value in raw.items():
        try:
            if name == "text":
                out[name] = _text(value, name, 300, required=True)
            elif name == "help_text":
                out[name] = _text(value, name, 500, required=False)
            elif name == "order":
                out[name] = _whole(value, name, 0, 32767)
            elif name == "weight":
                out[name] = _whole(value, name, 1, MAX_WEIGHT)
            elif name == "active":
                out[name] = _flag(value, name)
            elif name == "options":
                out[name] = _clean_options(value, question)
            else:
                errors[name] = _("Unknown field.")
        except ValidationFailed as exc:
            errors.update(exc.as_dict())
    if question is None and "text" not in out and "text" not in errors:
        errors["text"] = _("This field is required.")
    if errors:
        raise ValidationFailed(errors)
    active = out.get("active", question.active if question is not None else True)
    count = (
        len(out["options"]) if "options" in out else (question.options.count() if question else 0)
    )
    if active and count < 1:
        errors["options"] = _("An active question needs at least one answer.")
        raise ValidationFailed(errors)
    return out


# --- questions ---------------------------------------------------------------------------------


def _option_rows(question: RiskQuestion) -> list[dict[str, Any]]:
    return [{"label": o.label, "score": o.score} for o in question.options.order_by("order", "pk")]


def _apply_options(question: RiskQuestion, options: list[dict[str, Any]]) -> None:
    keep = {o["id"] for o in options if o["id"] is not None}
    gone = list(question.options.exclude(pk__in=keep).values_list("pk", flat=True))
    used = set(RiskAnswer.objects.filter(option_id__in=gone).values_list("option_id", flat=True))
    if used:
        labels = ", ".join(
            RiskOption.objects.filter(pk__in=used).order_by("order").values_list("label", flat=True)
        )
        raise ValidationFailed(
            {
                "options": _(
                    "Changes chose %s; keep these answers, or deactivate the question and add "
                    "a new one."
                )
                % labels
            }
        )
    RiskOption.objects.filter(pk__in=gone).delete()
    existing = {o.pk: o for o in question.options.all()}
    for row in options:
        if row["id"] is None:
            RiskOption.objects.create(
                question=question, label=row["label"], score=row["score"], order=row["order"]
            )
            continue
        option = existing[row["id"]]
        if (option.label, option.score, option.order) != (row["label"], row["score"], row["order"]):
            option.label, option.score, option.order = row["label"], row["score"], row["order"]
            option.save(update_fields=["label", "score", "order"])


def _record_question(question: RiskQuestion, verb: str, actor: User, data: dict[str, Any]) -> None:
    journal.append(
        tenant=actor.tenant_id,
        subject_type=QUESTION_SUBJECT,
        subject_id=question.pk,
        verb=verb,
        actor=actor,
        data=data,
    )


def _snapshot(question: RiskQuestion) -> dict[str, Any]:
    return {
        "text": question.text,
        "help_text": question.help_text,
        "order": question.order,
        "weight": question.weight,
        "active": question.active,
        "options": _option_rows(question),
    }


def create_question(*, actor: User, **raw: Any) -> RiskQuestion:
    """Add a question with its answers; open changes in New are re-assessed."""
    _require_admin(actor)
    values = clean_question(raw, None)
    options = values.pop("options", [])
    with transaction.atomic():
        if RiskQuestion.objects.count() >= MAX_QUESTIONS:
            raise ValidationFailed({"text": _("At most %d questions.") % MAX_QUESTIONS})
        if "order" not in values:
            last = RiskQuestion.objects.order_by("-order").values_list("order", flat=True).first()
            values["order"] = (last or 0) + 1
        question = RiskQuestion.objects.create(**values)
        _apply_options(question, options)
        _record_question(question, "created", actor, _snapshot(question))
        if question.active:
            reassess_open_changes.enqueue()
    return question


def update_question(
    *, actor: User, question: RiskQuestion, expected_version: int | None = None, **raw: Any
) -> RiskQuestion:
    """Change a question, its weight, answers or whether it is asked; re-assesses New changes."""
    _require_admin(actor)
    with transaction.atomic():
        question = RiskQuestion.objects.select_for_update().get(pk=question.pk)
        if expected_version is not None and expected_version != question.version:
            raise StaleVersion(question.version)
        values = clean_question(raw, question)
        before = _snapshot(question)
        options = values.pop("options", None)
        for name, value in values.items():
            setattr(question, name, value)
        if options is not None:
            _apply_options(question, options)
        after = _snapshot(question)
        changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
        if not changes:
            return question
        question.version += 1
        question.save()
        _record_question(question, "updated", actor, {"changes": changes})
        if changes.keys() & {"weight", "active", "options"}:
            reassess_open_changes.enqueue()
    return question


def delete_question(
    *, actor: User, question: RiskQuestion, expected_version: int | None = None
) -> None:
    """Remove a question nobody answered yet; one with answers is deactivated instead."""
    _require_admin(actor)
    with transaction.atomic():
        question = RiskQuestion.objects.select_for_update().get(pk=question.pk)
        if expected_version is not None and expected_version != question.version:
            raise StaleVersion(question.version)
        if RiskAnswer.objects.filter(question=question).exists():
            raise ValidationFailed(
                {"question": _("Changes answered this question; deactivate it instead.")}
            )
        snapshot = _snapshot(question)
        _record_question(question, "deleted", actor, snapshot)
        pk = question.pk
        question.delete()
        question.pk = pk
        if snapshot["active"]:
            reassess_open_changes.enqueue()


# --- the policy --------------------------------------------------------------------------------


def update_policy(*, actor: User, expected_version: int | None = None, **raw: Any) -> ChangePolicy:
    """Change thresholds and limits; changes in New are re-assessed in the background."""
    _require_admin(actor)
    with transaction.atomic():
        ChangePolicy.objects.get_or_create(pk=1)
        policy = ChangePolicy.objects.select_for_update().get(pk=1)
        if expected_version is not None and expected_version != policy.version:
            raise StaleVersion(policy.version)
        values = clean_policy(raw, policy)
        changes = {k: [getattr(policy, k), v] for k, v in values.items() if getattr(policy, k) != v}
        if not changes:
            return policy
        for name, value in values.items():
            setattr(policy, name, value)
        policy.version += 1
        policy.save()
        journal.append(
            tenant=actor.tenant_id,
            subject_type=POLICY_SUBJECT,
            subject_id=policy.pk,
            verb="updated",
            actor=actor,
            data={"changes": changes},
        )
        if set(changes) - {"success_includes_issues"}:
            reassess_open_changes.enqueue()
    return policy


# --- re-assessment -----------------------------------------------------------------------------

_CHUNK = 200


@task()
def reassess_open_changes() -> int:
    """Re-assess every change in New under its row lock; returns how many changed level.

    Idempotent: a change whose assessment is already current is not written.
    """
    from serval.changes import risk
    from serval.work import actions as work
    from serval.work.models import WorkItem

    moved = 0
    ids = list(
        ChangeDetail.objects.filter(work_item__state=S.NEW)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(ids), _CHUNK):
        for pk in ids[start : start + _CHUNK]:
            with transaction.atomic():
                item = WorkItem.objects.select_for_update().filter(pk=pk).first()
                detail = ChangeDetail.objects.select_for_update().filter(pk=pk).first()
                if item is None or detail is None:
                    continue
                if risk.recalculate(item=item, detail=detail, actor=None):
                    work.bump(item, [])
                    moved += 1
    return moved
