"""Risk on the change page and the risk admin pages (DOMAIN.md §2.3 risk).

- `panel(item, detail, user)`: the risk card — the level as a badge, the reasons grouped by
  method with their level, the questionnaire score, and the questionnaire inline. Agents only.
- `changes/risk/<number>/`: the same card on a page of its own (the no-JS fallback and where a
  refused answer is re-rendered); `.../answers` takes the form: htmx swaps the card in place,
  a plain POST redirects back to the change page.
- `changes/risk/questions/…` and `changes/risk/policy/`: the questionnaire and the policy —
  administrators edit, change managers read; everyone else gets a 404.

Thin adapters (DESIGN.md rule 1): writes go through `serval.changes.risk.answer` and
`serval.changes.questionnaire`; domain errors come back as form errors.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from serval.changes import questionnaire, risk
from serval.changes import states as S
from serval.changes.actions import detail_of
from serval.changes.models import ChangeDetail, Risk, RiskAnswer, RiskQuestion
from serval.changes.risk_forms import PolicyForm, QuestionForm, add_action_errors
from serval.core.errors import NotFound, PermissionDenied, StaleVersion, ValidationFailed
from serval.core.tenancy import reach
from serval.people.models import User
from serval.work.models import Kind, WorkItem
from serval.work.querysets import access_work_item

LEVEL_COLOURS = {
    Risk.LOW: "green",
    Risk.MODERATE: "yellow",
    Risk.HIGH: "orange",
    Risk.VERY_HIGH: "red",
}


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def level_view(level: str) -> dict[str, Any]:
    value = Risk(level) if level in Risk.values else Risk.LOW
    return {"value": value.value, "label": str(value.label), "colour": LEVEL_COLOURS[value]}


def change_page_url(item: WorkItem) -> str:
    """The change page (core's), or this module's risk page until that exists."""
    try:
        return reverse("changes-detail", args=[item.number])
    except NoReverseMatch:
        return reverse("changes-risk", args=[item.number])


# --- the panel -------------------------------------------------------------------------------


def _groups(reasons: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Reasons by method (rule calculator first), each group with its own highest level."""
    out = []
    for method in (risk.RULE, risk.QUESTIONNAIRE):
        found = [
            {**r, "level_view": level_view(r["level"])}
            for r in reasons
            if r.get("method") == method and r.get("level") in Risk.values
        ]
        if found:
            top = risk.highest(r["level"] for r in found)
            out.append(
                {
                    "method": method,
                    "label": str(risk.METHODS[method]),
                    "level": level_view(top),
                    "reasons": found,
                }
            )
    return out


def panel(
    item: Any, detail: Any, user: Any, *, errors: dict[str, str] | None = None
) -> dict[str, Any] | None:
    """The risk card's context; hidden (None) for anyone but agents."""
    if user is None or not getattr(user, "is_agent", False):
        return None
    questions = risk.questions_with_answers(detail)
    reason = risk.read_only_reason(item)
    for q in questions:
        chosen = next((o for o in q["options"] if o["id"] == q["answer"]), None)
        q["chosen"] = chosen
        q["field"] = f"q{q['id']}"
        q["error"] = (errors or {}).get(f"answers.{q['id']}", "")
    answered = sum(1 for q in questions if q["answer"] is not None)
    general = [
        message for name, message in (errors or {}).items() if not name.startswith("answers.")
    ]
    return {
        "level": level_view(detail.risk),
        "groups": _groups(detail.risk_reasons or []),
        "score": detail.risk_score,
        "answered": answered,
        "total": len(questions),
        "questions": questions,
        "editable": not reason,
        "read_only_reason": reason,
        "assessed_at": detail.risk_assessed_at,
        "action": reverse("changes-risk-answers", args=[item.number]),
        "version": item.version,
        "errors": general,
        "field_errors": bool(errors) and not general,
        "admin_url": reverse("changes-risk-questions") if questionnaire.can_read(user) else "",
    }


# --- the panel's own page and its form -------------------------------------------------------


def _change(request: HttpRequest, number: str) -> WorkItem:
    user = _user(request)
    try:
        item = access_work_item(user, number[:40], kind=Kind.CHANGE)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    if not user.is_agent:
        raise Http404()
    return item


def _page(
    request: HttpRequest, item: WorkItem, errors: dict[str, str] | None = None, status: int = 200
) -> HttpResponse:
    detail = detail_of(item)
    context = {
        "item": item,
        "detail": detail,
        "panel": panel(item, detail, _user(request), errors=errors),
        "change_url": change_page_url(item),
    }
    return render(request, "changes/risk_page.html", context, status=status)


@login_required
@require_GET
def risk_page(request: HttpRequest, number: str) -> HttpResponse:
    return _page(request, _change(request, number))


def _panel_response(
    request: HttpRequest, item: WorkItem, errors: dict[str, str] | None = None
) -> HttpResponse:
    detail = detail_of(item)
    context = {
        "item": item,
        "detail": detail,
        "panel": panel(item, detail, _user(request), errors=errors),
    }
    response = render(request, "changes/_risk_panel.html", context)
    response["Serval-Version"] = str(item.version)
    return response


def _posted_answers(request: HttpRequest) -> dict[str, Any]:
    """{question id: option id} for every question the form sent a choice for."""
    answers: dict[str, Any] = {}
    for key in list(request.POST.keys())[: risk.MAX_ANSWERS + 5]:
        if key.startswith("q") and key[1:].isascii() and key[1:].isdigit():
            answers[key[1:]] = request.POST.get(key) or None
    return answers


def _version(request: HttpRequest) -> int | None:
    raw = (request.POST.get("version") or "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None


@login_required
@require_POST
def risk_answers(request: HttpRequest, number: str) -> HttpResponse:
    """Save questionnaire answers: htmx gets the card back, a plain form the change page."""
    item = _change(request, number)
    errors: dict[str, str] = {}
    try:
        risk.answer(
            actor=_user(request),
            item=item,
            answers=_posted_answers(request),
            expected_version=_version(request),
        )
    except ValidationFailed as exc:
        errors = exc.as_dict()
    except PermissionDenied as exc:
        errors = {"answers": str(exc)}
    except StaleVersion:
        errors = {
            "version": _("Someone else changed this change meanwhile; reload it and try again.")
        }
    item.refresh_from_db()
    if getattr(request, "htmx", False):
        return _panel_response(request, item, errors or None)
    if errors:
        return _page(request, item, errors, status=422)
    messages.success(request, _("The risk answers were saved."))
    return redirect(change_page_url(item) + "#risk-panel")


# --- the questionnaire and the policy --------------------------------------------------------


def _reader(request: HttpRequest) -> User:
    user = _user(request)
    if not questionnaire.can_read(user):
        raise Http404()
    return user


def _admin(request: HttpRequest) -> User:
    user = _user(request)
    if not questionnaire.can_edit(user):
        raise Http404()
    return user


@login_required
@require_GET
def question_list(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    questions = list(RiskQuestion.objects.prefetch_related("options").order_by("order", "pk"))
    answered = set(
        RiskAnswer.objects.filter(question__in=questions)
        .values_list("question_id", flat=True)
        .distinct()
    )
    low, high = risk.score_range()
    rules = risk.policy()
    context = {
        "questions": questions,
        "answered": answered,
        "can_edit": questionnaire.can_edit(user),
        "score_range": (low, high),
        "policy": rules,
        "bands": _bands(rules, low, high),
        "section": "questions",
    }
    return render(request, "changes/risk_questions.html", context)


def _bands(rules: Any, low: int, high: int) -> list[dict[str, Any]]:
    """Which totals give which level, for the admin's overview."""
    edges = [
        (Risk.LOW, 0, rules.moderate_from - 1),
        (Risk.MODERATE, rules.moderate_from, rules.high_from - 1),
        (Risk.HIGH, rules.high_from, rules.very_high_from - 1),
        (Risk.VERY_HIGH, rules.very_high_from, None),
    ]
    out = []
    for level, start, end in edges:
        reachable = (end is None or end >= low) and start <= high
        out.append({"level": level_view(level), "start": start, "end": end, "reachable": reachable})
    return out


@login_required
def question_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create (pk None) or change a question and its answers; errors re-render the form."""
    user = _admin(request)
    question = None
    if pk is not None:
        question = RiskQuestion.objects.prefetch_related("options").filter(pk=pk).first()
        if question is None:
            raise Http404()
    form = QuestionForm(request.POST or None, question=question)
    if request.method == "POST" and form.is_valid():
        try:
            if question is None:
                question = questionnaire.create_question(actor=user, **form.action_values())
                text = _("The question “%(text)s” was added.")
            else:
                question = questionnaire.update_question(
                    actor=user,
                    question=question,
                    expected_version=form.cleaned_data.get("version"),
                    **form.action_values(),
                )
                text = _("The question “%(text)s” was saved.")
            messages.success(request, text % {"text": question.text})
            return redirect("changes-risk-questions")
        except ValidationFailed as exc:
            add_action_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        except StaleVersion:
            form.add_error(
                None, _("Someone else saved this question meanwhile; reload it and try again.")
            )
    in_use = question is not None and RiskAnswer.objects.filter(question=question).exists()
    context = {"form": form, "question": question, "in_use": in_use, "section": "questions"}
    return render(request, "changes/risk_question_form.html", context)


@login_required
@require_POST
def question_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = _admin(request)
    question = RiskQuestion.objects.filter(pk=pk).first()
    if question is None:
        raise Http404()
    try:
        questionnaire.delete_question(actor=user, question=question)
        messages.success(
            request, _("The question “%(text)s” was deleted.") % {"text": question.text}
        )
    except ValidationFailed as exc:
        messages.error(request, " ".join(exc.as_dict().values()))
    return redirect("changes-risk-questions")


@login_required
def policy_edit(request: HttpRequest) -> HttpResponse:
    """The change policy: administrators edit it, change managers read it."""
    user = _reader(request)
    rules = risk.policy()
    can_edit = questionnaire.can_edit(user)
    if request.method == "POST" and not can_edit:
        raise Http404()
    form = PolicyForm(request.POST or None, policy=rules)
    if request.method == "POST" and form.is_valid():
        try:
            questionnaire.update_policy(
                actor=user,
                expected_version=form.cleaned_data.get("version"),
                **form.action_values(),
            )
            messages.success(
                request,
                _("The change policy was saved; changes in New are being re-assessed."),
            )
            return redirect("changes-risk-policy")
        except ValidationFailed as exc:
            add_action_errors(form, exc)
        except StaleVersion:
            form.add_error(
                None, _("Someone else saved the policy meanwhile; reload it and try again.")
            )
    if not can_edit:
        for field in form.fields.values():
            field.disabled = True
    low, high = risk.score_range()
    context = {
        "form": form,
        "policy": rules,
        "can_edit": can_edit,
        "score_range": (low, high),
        "section": "policy",
        "open_count": ChangeDetail.objects.filter(
            work_item__state=S.NEW, work_item__tenant_id__in=reach(user)
        ).count(),
    }
    return render(request, "changes/risk_policy.html", context)


urlpatterns: list[URLPattern] = [
    path("changes/risk/questions/", question_list, name="changes-risk-questions"),
    path("changes/risk/questions/new", question_edit, name="changes-risk-question-create"),
    path("changes/risk/questions/<int:pk>/", question_edit, name="changes-risk-question-edit"),
    path(
        "changes/risk/questions/<int:pk>/delete",
        question_delete,
        name="changes-risk-question-delete",
    ),
    path("changes/risk/policy/", policy_edit, name="changes-risk-policy"),
    path("changes/risk/<str:number>/", risk_page, name="changes-risk"),
    path("changes/risk/<str:number>/answers", risk_answers, name="changes-risk-answers"),
]
