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
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

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
    if score >= rules.very_high_from:
        return Risk.VERY_HIGH
    if score >= rules.high_from:
        return Risk.HIGH
    if score >= rules.moderate_from:
        return Risk.MODERATE
    return Risk.LOW


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
    questions = list(RiskQuestion.objects.filter(active=True).values_list("pk", "weight"))
    weights = dict(questions)
    answers = list(
        RiskAnswer.objects.filter(change=detail, question_id__in=weights).values_list(
            "question_id", "option__score"
        )
    )
    if not questions or len(answers) < len(questions):
        return None, None, len(answers), len(questions)
    score = sum(weights[q] * s for q, s in answers)
    level = level_for_score(score, rules)
    reason = Reason(QUESTIONNAIRE, level, _("Questionnaire score %d") % score)
    return reason, score, len(answers), len(questions)


def assess(item: WorkItem, detail: ChangeDetail) -> Assessment:
    """Both methods, without writing anything (also the preview the pages show)."""
    rules = policy()
    reasons = _rules(item, detail, rules)
    answered_reason, score, answered, questions = _questionnaire(detail, rules)
    if answered_reason is not None:
        reasons.append(answered_reason)
    reasons.sort(key=lambda r: (-RISK_ORDER[Risk(r.level)], r.method, r.text))
    level = reasons[0].level if reasons else Risk.LOW
    return Assessment(level, score, answered, questions, reasons)


def recalculate(*, item: WorkItem, detail: ChangeDetail, actor: User | None) -> bool:
    """Store the assessment on the change; True (and journaled) when the level moved."""
    from serval.work import actions as work

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


def answer(
    *,
    actor: User,
    item: WorkItem,
    answers: dict[Any, Any],
    expected_version: int | None = None,
) -> ChangeDetail:
    """Record questionnaire answers ({question id: option id}); risk follows at once."""
    from serval.changes.actions import FROZEN_STATES, detail_of
    from serval.work import actions as work

    if not actor.is_agent:
        raise PermissionDenied(_("Only agents can assess a change's risk."))
    if not isinstance(answers, dict) or len(answers) > 100:
        raise ValidationFailed({"answers": _("A map of question id to option id.")})
    with transaction.atomic():
        item = work.lock(item)
        work.check_version(item, expected_version)
        if item.state in FROZEN_STATES or item.state in S.DONE_STATES:
            raise ValidationFailed(
                {"answers": _("The risk was assessed as it is; revert the change to re-plan.")}
            )
        detail = detail_of(item, for_update=True)
        errors: dict[str, str] = {}
        chosen: dict[int, RiskOption] = {}
        for raw_q, raw_o in answers.items():
            try:
                q, o = int(raw_q), int(raw_o)
            except (TypeError, ValueError):
                errors[f"answers.{raw_q}"] = _("Unknown question or answer.")
                continue
            option = (
                RiskOption.objects.filter(pk=o, question_id=q, question__active=True)
                .select_related("question")
                .first()
            )
            if option is None:
                errors[f"answers.{q}"] = _("Unknown question or answer.")
            else:
                chosen[q] = option
        if errors:
            raise ValidationFailed(errors)
        changed = []
        for q, option in chosen.items():
            row = RiskAnswer.objects.filter(change=detail, question_id=q).first()
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
