"""Change risk, by both methods of DOMAIN.md §2.3 — the highest result wins, with its reasons.

- **Rule calculator** over what Serval knows about the change: criticality of the impacted
  services and of the affected CIs, how many services it impacts, lead time below policy,
  outside a maintenance window (from the stored conflicts), and recent unsuccessful changes on
  the same CIs.
- **Questionnaire**: the weighted answers summed; `ChangePolicy` thresholds map the total to a
  level. It counts once every active question is answered.

`recalculate` runs inside the writer's transaction whenever an input may have changed (the
change's fields, its CIs, its answers, its conflicts); it stores the level, the score and the
reasons on `ChangeDetail` and journals "risk_assessed" when the level moves.

The risk moves only while the change is planned (state New). From submission on, the stored
assessment is what the approvers decided on — approval policies match on it, and the review
is mandatory for high-risk changes — so neither the rules nor the questionnaire change it;
reverting the change to New re-assesses it (docs/change-risk.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from serval.changes import states as S
from serval.changes.models import (
    RISK_ORDER,
    ChangeConflict,
    ChangeDetail,
    ChangePolicy,
    ChangeType,
    CloseCode,
    ConflictRule,
    Risk,
    RiskAnswer,
    RiskOption,
    RiskQuestion,
)
from serval.core.errors import PermissionDenied, ValidationFailed

if TYPE_CHECKING:
    from serval.people.models import User
    from serval.work.models import WorkItem

RULE, QUESTIONNAIRE = "rule", "questionnaire"
METHODS = {RULE: _lazy("Rule calculator"), QUESTIONNAIRE: _lazy("Questionnaire")}
MAX_ANSWERS = 100
_CRITICALITY_RISK = {"critical": Risk.HIGH, "high": Risk.MODERATE}


@dataclass
class Reason:
    method: str
    level: str
    text: str

    def as_dict(self) -> dict[str, str]:
        return {"method": self.method, "level": self.level, "text": self.text}


@dataclass
class Assessment:
    level: str
    score: int | None
    answered: int
    questions: int
    reasons: list[Reason]


def policy() -> ChangePolicy:
    """The install's change policy (seeded by migration; made with the defaults if removed)."""
    found, _made = ChangePolicy.objects.get_or_create(pk=1)
    return found


def level_for_score(score: int, rules: ChangePolicy) -> str:
    """The questionnaire's level: a total at or above a threshold takes that threshold's level."""
    if score >= rules.very_high_from:
        return Risk.VERY_HIGH
    if score >= rules.high_from:
        return Risk.HIGH
    if score >= rules.moderate_from:
        return Risk.MODERATE
    return Risk.LOW


def highest(levels: Any) -> str:
    """Highest wins (DOMAIN.md §2.3 [29]); nothing found at all is Low."""
    return max(levels, key=lambda level: RISK_ORDER[Risk(level)], default=Risk.LOW)


def questionnaire_score(weights: dict[int, int], scores: dict[int, int]) -> int | None:
    """Σ weight × chosen score over the active questions, or None while any is unanswered.

    `weights` holds every active question, `scores` the chosen option's score per answered
    question (answers to inactive questions are ignored). An incomplete questionnaire never
    counts: half the answers say nothing about the other half.
    """
    if not weights or any(q not in scores for q in weights):
        return None
    return sum(weight * scores[q] for q, weight in weights.items())


def read_only_reason(item: WorkItem) -> str:
    """Why the questionnaire cannot be answered now ("" when it can)."""
    from serval.changes.actions import FROZEN_STATES

    if item.state == S.NEW:
        return ""
    if item.state in FROZEN_STATES:
        return _(
            "The risk was assessed when the change was submitted and is frozen with the plan; "
            "revert the change to New to re-assess it."
        )
    if item.state in S.DONE_STATES:
        return _("This change is closed; its risk is kept as it was assessed.")
    return _("The change has been implemented; its risk is kept as it was assessed.")


# --- the rule calculator ----------------------------------------------------------------------


def _rules(item: WorkItem, detail: ChangeDetail, rules: ChangePolicy) -> list[Reason]:
    from serval.cmdb.models import CI, ImpactedService, WorkItemCI

    found: list[Reason] = []
    services = list(
        ImpactedService.objects.filter(work_item_id=item.pk)
        .order_by("service__name")
        .values_list("service__name", "service__criticality")
    )
    for name, criticality in services:
        level = _CRITICALITY_RISK.get(criticality)
        if level:
            found.append(
                Reason(
                    RULE,
                    level,
                    _("Impacts %(service)s (criticality %(c)s)")
                    % {
                        "service": name,
                        "c": criticality,
                    },
                )
            )
    if rules.many_services and len(services) >= rules.many_services:
        level = Risk.HIGH if len(services) >= 2 * rules.many_services else Risk.MODERATE
        found.append(Reason(RULE, level, _("Impacts %d services") % len(services)))
    ci_ids = list(WorkItemCI.objects.filter(work_item_id=item.pk).values_list("ci_id", flat=True))
    for name, criticality in (
        CI.objects.filter(pk__in=ci_ids).order_by("name").values_list("name", "criticality")
    ):
        level = _CRITICALITY_RISK.get(criticality)
        if level:
            found.append(
                Reason(
                    RULE,
                    level,
                    _("Changes %(ci)s (criticality %(c)s)")
                    % {
                        "ci": name,
                        "c": criticality,
                    },
                )
            )
    if detail.change_type == ChangeType.EMERGENCY:
        found.append(Reason(RULE, Risk.MODERATE, _("Emergency change")))
    elif detail.change_type == ChangeType.NORMAL and detail.planned_start is not None:
        notice = detail.planned_start - item.opened_at
        if notice < timedelta(hours=rules.lead_time_hours):
            hours = max(0, int(notice.total_seconds() // 3600))
            found.append(
                Reason(
                    RULE,
                    Risk.MODERATE,
                    _("Lead time %(h)d h is below the %(p)d h policy")
                    % {"h": hours, "p": rules.lead_time_hours},
                )
            )
    outside = ChangeConflict.objects.filter(
        change_id=item.pk,
        rule__in=(ConflictRule.CI_OUTSIDE_MAINTENANCE, ConflictRule.RELATED_OUTSIDE_MAINTENANCE),
    ).exists()
    if outside:
        found.append(Reason(RULE, Risk.MODERATE, _("Planned outside a maintenance window")))
    if ci_ids and rules.recent_failure_days:
        from serval.work.models import WorkItem

        since = timezone.now() - timedelta(days=rules.recent_failure_days)
        failed = list(
            WorkItem.objects.filter(
                kind=item.kind,
                close_code=CloseCode.UNSUCCESSFUL,
                resolved_at__gte=since,
                ci_links__ci_id__in=ci_ids,
            )
            .exclude(pk=item.pk)
            .distinct()
            .order_by("number")
            .values_list("number", flat=True)[:5]
        )
        if failed:
            found.append(
                Reason(
                    RULE,
                    Risk.HIGH,
                    _("Recent unsuccessful changes on the same CIs: %s") % ", ".join(failed),
                )
            )
    return found


# --- the questionnaire ------------------------------------------------------------------------


def _questionnaire(
    detail: ChangeDetail, rules: ChangePolicy
) -> tuple[Reason | None, int | None, int, int]:
    weights = dict(RiskQuestion.objects.filter(active=True).values_list("pk", "weight"))
    scores = dict(
        RiskAnswer.objects.filter(
            change=detail, question_id__in=weights, option__question_id=F("question_id")
        ).values_list("question_id", "option__score")
    )
    score = questionnaire_score(weights, scores)
    if score is None:
        return None, None, len(scores), len(weights)
    level = level_for_score(score, rules)
    reason = Reason(QUESTIONNAIRE, level, _("Questionnaire score %d") % score)
    return reason, score, len(scores), len(weights)


def assess(item: WorkItem, detail: ChangeDetail) -> Assessment:
    """Both methods, without writing anything (also the preview the pages show)."""
    rules = policy()
    reasons = _rules(item, detail, rules)
    answered_reason, score, answered, questions = _questionnaire(detail, rules)
    if answered_reason is not None:
        reasons.append(answered_reason)
    reasons.sort(key=lambda r: (-RISK_ORDER[Risk(r.level)], r.method, r.text))
    return Assessment(highest(r.level for r in reasons), score, answered, questions, reasons)


def recalculate(*, item: WorkItem, detail: ChangeDetail, actor: User | None) -> bool:
    """Store the assessment on the change; True (and journaled) when the level moved.

    Only while the change is in New (see the module docstring): afterwards it does nothing.
    """
    from serval.work import actions as work

    if item.state != S.NEW:
        return False
    result = assess(item, detail)
    reasons = [r.as_dict() for r in result.reasons]
    before = detail.risk
    if (before, detail.risk_score, detail.risk_reasons) == (result.level, result.score, reasons):
        return False
    detail.risk, detail.risk_score, detail.risk_reasons = result.level, result.score, reasons
    detail.risk_assessed_at = timezone.now()
    detail.save(update_fields=["risk", "risk_score", "risk_reasons", "risk_assessed_at"])
    if before == result.level:
        return False
    work.record(
        item,
        verb="risk_assessed",
        actor=actor,
        data={"from": before, "to": result.level, "reasons": [r.text for r in result.reasons]},
    )
    return True


# --- answering --------------------------------------------------------------------------------


MAX_ID = 2**63 - 1


def _key(value: Any) -> int | None:
    """An id as a client sends it: an int or a string of ASCII digits, within the id range."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip()
        if not (value.isascii() and value.isdigit()) or len(value) > 19:
            return None
        value = int(value)
    if isinstance(value, int) and 1 <= value <= MAX_ID:
        return value
    return None


def answer(
    *,
    actor: User,
    item: WorkItem,
    answers: dict[Any, Any],
    expected_version: int | None = None,
) -> ChangeDetail:
    """Record questionnaire answers ({question id: option id, or None to clear}); the risk
    follows at once. Agents only, and only while the change is in New."""
    from serval.changes.actions import detail_of
    from serval.work import actions as work

    if not actor.is_agent:
        raise PermissionDenied(_("Only agents can assess a change's risk."))
    if not isinstance(answers, dict) or len(answers) > MAX_ANSWERS:
        raise ValidationFailed(
            {"answers": _("A map of question id to option id (at most %d).") % MAX_ANSWERS}
        )
    errors: dict[str, str] = {}
    wanted: dict[int, int | None] = {}
    for raw_q, raw_o in answers.items():
        q = _key(raw_q)
        o = None if raw_o in (None, "") else _key(raw_o)
        if q is None or (o is None and raw_o not in (None, "")):
            errors[f"answers.{str(raw_q)[:20]}"] = _("Unknown question or answer.")
        else:
            wanted[q] = o
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        item = work.lock(item)
        work.check_version(item, expected_version)
        reason = read_only_reason(item)
        if reason:
            raise ValidationFailed({"answers": reason})
        detail = detail_of(item, for_update=True)
        options = {
            o.pk: o
            for o in RiskOption.objects.filter(
                pk__in=[o for o in wanted.values() if o is not None], question__active=True
            ).select_related("question")
        }
        active = set(
            RiskQuestion.objects.filter(pk__in=list(wanted), active=True).values_list(
                "pk", flat=True
            )
        )
        for q, o in wanted.items():
            known = o is None or (o in options and options[o].question_id == q)
            if q not in active or not known:
                errors[f"answers.{q}"] = _("Unknown question or answer.")
        if errors:
            raise ValidationFailed(errors)
        stored = {
            a.question_id: a
            for a in RiskAnswer.objects.filter(
                change=detail, question_id__in=list(wanted)
            ).select_related("question")
        }
        changed = []
        for q, o in sorted(wanted.items()):
            row = stored.get(q)
            if o is None:
                if row is not None:
                    row.delete()
                    changed.append({"question": row.question.text, "answer": None})
                continue
            option = options[o]
            if row is None:
                RiskAnswer.objects.create(
                    change=detail, question_id=q, option=option, answered_by=actor
                )
            elif row.option_id != option.pk:
                row.option, row.answered_by, row.answered_at = option, actor, timezone.now()
                row.save(update_fields=["option", "answered_by", "answered_at"])
            else:
                continue
            changed.append({"question": option.question.text, "answer": option.label})
        if changed:
            work.record(item, verb="risk_answered", actor=actor, data={"answers": changed})
            recalculate(item=item, detail=detail, actor=actor)
            work.bump(item, [])
    return detail


def questions_with_answers(detail: ChangeDetail | None) -> list[dict[str, Any]]:
    """Active questions, their options and the change's chosen option, for forms and the API."""
    chosen = (
        dict(RiskAnswer.objects.filter(change=detail).values_list("question_id", "option_id"))
        if detail is not None
        else {}
    )
    out = []
    for question in RiskQuestion.objects.filter(active=True).prefetch_related("options"):
        out.append(
            {
                "id": question.pk,
                "text": question.text,
                "help_text": question.help_text,
                "weight": question.weight,
                "options": [
                    {"id": o.pk, "label": o.label, "score": o.score} for o in question.options.all()
                ],
                "answer": chosen.get(question.pk),
            }
        )
    return out


def score_range() -> tuple[int, int]:
    """The lowest and highest total the active questionnaire can reach (for the admin pages)."""
    low = high = 0
    for question in RiskQuestion.objects.filter(active=True).prefetch_related("options"):
        scores = [o.score for o in question.options.all()]
        if scores:
            low += question.weight * min(scores)
            high += question.weight * max(scores)
    return low, high
