"""Forms of the risk admin pages and the review panel: they only shape input.

Every rule that matters (thresholds strictly increasing, scores ≥ 0, an answer per active
question, options some change chose stay) is checked again by the actions
(`serval.changes.questionnaire`, `serval.changes.review`), whose field errors are put back on
the form so a refused form re-renders with what the user typed.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from serval.changes.models import ChangePolicy, RiskQuestion
from serval.changes.questionnaire import MAX_OPTIONS, MAX_SCORE, MAX_WEIGHT, POLICY_LIMITS
from serval.core.errors import ValidationFailed

EXTRA_OPTION_ROWS = 3


def add_action_errors(form: forms.Form, exc: ValidationFailed) -> None:
    """An action's field errors onto the form ("options.2.label" onto option_label_2)."""
    for name, message in exc.as_dict().items():
        parts = name.split(".")
        target: str | None = name
        if parts[0] == "options" and len(parts) == 3:
            target = f"option_{parts[2]}_{parts[1]}"
        elif parts[0] == "options":
            target = None
        form.add_error(target if target in form.fields else None, str(message))


def _limited(name: str, label: Any, help_text: Any = "") -> forms.IntegerField:
    low, high = POLICY_LIMITS[name]
    return forms.IntegerField(label=label, help_text=help_text, min_value=low, max_value=high)


class PolicyForm(forms.Form):
    moderate_from = _limited(
        "moderate_from",
        _("Moderate from"),
        _("A questionnaire total at or above this is Moderate; below it, Low."),
    )
    high_from = _limited("high_from", _("High from"))
    very_high_from = _limited("very_high_from", _("Very high from"))
    lead_time_hours = _limited(
        "lead_time_hours",
        _("Lead time (hours)"),
        _("A normal change planned to start sooner after it is raised is short notice (0: off)."),
    )
    recent_failure_days = _limited(
        "recent_failure_days",
        _("Recent failures (days)"),
        _("Unsuccessful changes on the same CIs within this many days raise the risk (0: off)."),
    )
    many_services = _limited(
        "many_services",
        _("Many services"),
        _("Impacting at least this many services raises the risk (0: off)."),
    )
    success_includes_issues = forms.BooleanField(
        label=_("“Successful with issues” counts as a success in the outcome reports"),
        required=False,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, policy: ChangePolicy, **kwargs: Any) -> None:
        if not args or args[0] is None:
            kwargs.setdefault(
                "initial",
                {
                    **{name: getattr(policy, name) for name in POLICY_LIMITS},
                    "success_includes_issues": policy.success_includes_issues,
                    "version": policy.version,
                },
            )
        super().__init__(*args, **kwargs)

    def action_values(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class QuestionForm(forms.Form):
    """A question and its answers as rows: an empty label removes a row."""

    text = forms.CharField(label=_("Question"), max_length=300)
    help_text = forms.CharField(label=_("Help"), max_length=500, required=False)
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=32767, required=False)
    weight = forms.IntegerField(
        label=_("Weight"),
        min_value=1,
        max_value=MAX_WEIGHT,
        initial=1,
        help_text=_("The chosen answer's score is multiplied by this."),
    )
    active = forms.BooleanField(label=_("Asked on new changes"), required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, question: RiskQuestion | None = None, **kwargs: Any) -> None:
        options = list(question.options.order_by("order", "pk")) if question else []
        if question is not None and (not args or args[0] is None):
            initial: dict[str, Any] = {
                "text": question.text,
                "help_text": question.help_text,
                "order": question.order,
                "weight": question.weight,
                "active": question.active,
                "version": question.version,
            }
            for index, option in enumerate(options):
                initial[f"option_id_{index}"] = option.pk
                initial[f"option_label_{index}"] = option.label
                initial[f"option_score_{index}"] = option.score
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.option_ids = {o.pk for o in options}
        rows = min(MAX_OPTIONS, len(options) + EXTRA_OPTION_ROWS)
        self.row_count = rows
        for index in range(rows):
            self.fields[f"option_id_{index}"] = forms.IntegerField(
                widget=forms.HiddenInput, required=False
            )
            self.fields[f"option_label_{index}"] = forms.CharField(
                label=_("Answer %d") % (index + 1), max_length=200, required=False
            )
            self.fields[f"option_score_{index}"] = forms.IntegerField(
                label=_("Score of answer %d") % (index + 1),
                min_value=0,
                max_value=MAX_SCORE,
                required=False,
            )

    def option_rows(self) -> list[tuple[Any, Any, Any]]:
        return [
            (
                self[f"option_id_{i}"],
                self[f"option_label_{i}"],
                self[f"option_score_{i}"],
            )
            for i in range(self.row_count)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for index in range(self.row_count):
            label = (data.get(f"option_label_{index}") or "").strip()
            score = data.get(f"option_score_{index}")
            pk = data.get(f"option_id_{index}")
            if pk is not None and pk not in self.option_ids:
                self.add_error(None, _("The answers changed meanwhile; reload the page."))
            if label and score is None and f"option_score_{index}" not in self.errors:
                self.add_error(f"option_score_{index}", _("Give this answer a score."))
        return data

    def action_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        options = []
        for index in range(self.row_count):
            label = (data.get(f"option_label_{index}") or "").strip()
            if not label:
                continue
            options.append(
                {
                    "id": data.get(f"option_id_{index}"),
                    "label": label,
                    "score": data.get(f"option_score_{index}"),
                }
            )
        values: dict[str, Any] = {
            "text": data["text"],
            "help_text": data.get("help_text") or "",
            "weight": data["weight"],
            "active": bool(data.get("active")),
            "options": options,
        }
        if data.get("order") is not None:
            values["order"] = data["order"]
        return values


YES_NO = [("", _("Not answered yet")), ("yes", _("Yes")), ("no", _("No"))]


class ReviewForm(forms.Form):
    objectives_met = forms.ChoiceField(
        label=_("Were the change's objectives met?"), choices=YES_NO, required=False
    )
    backout_executed = forms.ChoiceField(
        label=_("Was the backout plan executed?"), choices=YES_NO, required=False
    )
    lessons = forms.CharField(
        label=_("Lessons learned"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=20000,
    )
    follow_ups = forms.CharField(
        label=_("Follow-ups"),
        help_text=_("Problems to raise, improvements to make, owners and dates."),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=20000,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    @staticmethod
    def initial_for(review: Any, version: int) -> dict[str, Any]:
        def word(value: bool | None) -> str:
            return "" if value is None else ("yes" if value else "no")

        if review is None:
            return {"version": version}
        return {
            "objectives_met": word(review.objectives_met),
            "backout_executed": word(review.backout_executed),
            "lessons": review.lessons,
            "follow_ups": review.follow_ups,
            "version": version,
        }

    def action_values(self) -> dict[str, Any]:
        data = self.cleaned_data

        def flag(value: str) -> bool | None:
            return None if not value else value == "yes"

        return {
            "objectives_met": flag(data.get("objectives_met") or ""),
            "backout_executed": flag(data.get("backout_executed") or ""),
            "lessons": data.get("lessons") or "",
            "follow_ups": data.get("follow_ups") or "",
        }
