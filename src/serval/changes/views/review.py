"""The post-implementation review card of a change, its own page, and the outcome report.

- `panel(item, detail, user)`: the review card (agents). Shown from Review on, and before that
  only as a note when the review will be mandatory. The form saves a draft or completes the
  review; htmx swaps the card in place, a plain POST redirects back to the change page.
- `changes/review/<number>/`: the card on a page of its own (no-JS fallback, error re-render).
- `changes/reports/outcomes/`: success rate, failure rate and emergency share per service, team,
  type or month, as a table, an SVG chart and CSV (`serval.changes.reports`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from serval.changes import reports, review
from serval.changes import states as S
from serval.changes.actions import detail_of
from serval.changes.risk_forms import ReviewForm
from serval.changes.views.risk import _change, change_page_url
from serval.core.errors import PermissionDenied, StaleVersion, ValidationFailed
from serval.core.exports import csv_response
from serval.people.models import User
from serval.work.models import WorkItem


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


# --- the panel -------------------------------------------------------------------------------


def panel(
    item: Any, detail: Any, user: Any, *, form: ReviewForm | None = None
) -> dict[str, Any] | None:
    """The review card's context; None (hidden) for non-agents and before implementation
    unless the review will be required."""
    if user is None or not getattr(user, "is_agent", False):
        return None
    state = review.state_of(item, detail, user)
    before_review = item.state not in (S.REVIEW, *S.DONE_STATES)
    if before_review and not state.required:
        return None
    if item.state == S.CANCELLED and state.review is None:
        return None
    reason = review.read_only_reason(item, state.review)
    editable = not reason
    if form is None and editable:
        form = ReviewForm(initial=ReviewForm.initial_for(state.review, item.version))
    return {
        "state": state,
        "review": state.review,
        "status": state.status,
        "required": state.required,
        "incidents": state.incidents,
        "editable": editable,
        "before_review": before_review,
        "read_only_reason": reason,
        "form": form,
        "can_reopen": item.state == S.REVIEW and state.status == "completed",
        "action": reverse("changes-review-save", args=[item.number]),
        "version": item.version,
        "blocks_closing": bool(state.required) and state.status != "completed",
    }


def _page(
    request: HttpRequest, item: WorkItem, form: ReviewForm | None = None, status: int = 200
) -> HttpResponse:
    detail = detail_of(item)
    context = {
        "item": item,
        "detail": detail,
        "panel": panel(item, detail, _user(request), form=form),
        "change_url": change_page_url(item),
    }
    return render(request, "changes/review_page.html", context, status=status)


@login_required
@require_GET
def review_page(request: HttpRequest, number: str) -> HttpResponse:
    return _page(request, _change(request, number))


def _panel_response(
    request: HttpRequest, item: WorkItem, form: ReviewForm | None = None
) -> HttpResponse:
    detail = detail_of(item)
    context = {
        "item": item,
        "detail": detail,
        "panel": panel(item, detail, _user(request), form=form),
    }
    response = render(request, "changes/_review_panel.html", context)
    response["Serval-Version"] = str(item.version)
    return response


def _add_errors(form: ReviewForm, exc: ValidationFailed) -> None:
    for name, message in exc.as_dict().items():
        form.add_error(name if name in form.fields else None, str(message))


MESSAGES = {
    "save": gettext_lazy("The review draft was saved."),
    "complete": gettext_lazy("The review is complete."),
    "reopen": gettext_lazy("The review was reopened."),
}


def _version(request: HttpRequest) -> int | None:
    raw = (request.POST.get("version") or "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None


STALE = gettext_lazy("Someone else changed this change meanwhile; reload it and try again.")


@login_required
@require_POST
def review_save(request: HttpRequest, number: str) -> HttpResponse:
    """`do=save` (draft), `do=complete` or `do=reopen`; errors re-render the card."""
    user = _user(request)
    item = _change(request, number)
    do = request.POST.get("do") or "save"
    if do not in MESSAGES:
        do = "save"
    form: ReviewForm | None = ReviewForm(request.POST)
    assert form is not None
    ok = False
    try:
        if do == "reopen":
            review.reopen_review(actor=user, item=item, expected_version=_version(request))
            ok = True
        elif form.is_valid():
            act = review.complete_review if do == "complete" else review.save_review
            act(actor=user, item=item, expected_version=_version(request), **form.action_values())
            ok = True
    except ValidationFailed as exc:
        _add_errors(form, exc)
    except PermissionDenied as exc:
        form.add_error(None, str(exc))
    except StaleVersion:
        form.add_error(None, str(STALE))
    item.refresh_from_db()
    if ok or do == "reopen":
        # After a write the card shows what is stored; a refused reopen shows its reason.
        if not ok:
            messages.error(request, " ".join(str(e) for e in form.non_field_errors()))
        form = None
    if getattr(request, "htmx", False):
        return _panel_response(request, item, form)
    if not ok:
        return _page(request, item, form, status=422)
    messages.success(request, str(MESSAGES[do]))
    return redirect(change_page_url(item) + "#review-panel")


# --- the outcome report ----------------------------------------------------------------------

GROUP_LABELS = {
    "month": gettext_lazy("Month"),
    "service": gettext_lazy("Impacted service"),
    "team": gettext_lazy("Team"),
    "type": gettext_lazy("Type"),
}


class OutcomeFilterForm(forms.Form):
    since = forms.DateField(label=gettext_lazy("From"), required=False)
    until = forms.DateField(label=gettext_lazy("To"), required=False)
    group_by = forms.ChoiceField(
        label=gettext_lazy("Group by"),
        choices=[(g, GROUP_LABELS[g]) for g in reports.GROUPS],
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until:
            if until < since:
                self.add_error("until", _("Must not be before the first day."))
            elif (until - since).days > reports.MAX_SPAN_DAYS:
                self.add_error("until", _("At most ten years at a time."))
        return data


def _params(form: OutcomeFilterForm) -> tuple[date | None, date | None, str]:
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        return data.get("since"), data.get("until"), data.get("group_by") or "month"
    return None, None, "month"


@login_required
@require_GET
def outcome_report(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The outcome report for agents (404 for anyone else); `?format=csv`: the same rows."""
    user = _user(request)
    if not user.is_agent:
        raise Http404()
    form = OutcomeFilterForm(request.GET or None)
    since, until, group_by = _params(form)
    report = reports.outcomes(user, since=since, until=until, group_by=group_by)
    if request.GET.get("format") == "csv":
        return csv_response(
            filename=f"change-outcomes-{group_by}.csv",
            header=reports.CSV_HEADER,
            rows=reports.csv_rows(report),
        )
    query = request.GET.copy()
    query["format"] = "csv"
    context = {
        "form": form,
        "report": report,
        "chart": reports.chart(report),
        "group_label": GROUP_LABELS[group_by],
        "csv_query": query.urlencode(),
    }
    return render(request, "changes/reports/outcomes.html", context)


urlpatterns: list[URLPattern] = [
    path("changes/reports/outcomes/", outcome_report, name="changes-report-outcomes"),
    path("changes/review/<str:number>/", review_page, name="changes-review"),
    path("changes/review/<str:number>/save", review_save, name="changes-review-save"),
]
