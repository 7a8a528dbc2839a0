"""Forms of the approval pages. They shape input only; the actions check every rule again and
their field errors are put back on the form (`add_action_errors`), so a refused form comes back
with what the person typed and nothing is written."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from serval.approvals.models import ApproverKind, Decision, Mode
from serval.core.errors import ValidationFailed

MAX_COMMENT = 4000


def add_action_errors(form: forms.Form, exc: ValidationFailed) -> None:
    for name, message in exc.as_dict().items():
        root = name.split(".")[-1] if name.startswith("steps.") else name
        form.add_error(root if root in form.fields else None, str(message))


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("reject", _("Reject"))],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you reject: the requester reads it."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "reject" and not (data.get("comment") or "").strip():
            self.add_error("comment", _("Say why you reject it."))
        return data

    @property
    def approve(self) -> bool:
        return bool(self.cleaned_data.get("decision") == "approve")


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.replace("\n", ",").split(",") if v.strip()]


class PolicyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    change_types = forms.MultipleChoiceField(
        label=_("Change types"),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=_("None ticked: every type that asks for approval."),
    )
    risks = forms.MultipleChoiceField(
        label=_("Risks"),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=_("None ticked: every risk."),
    )
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=999, initial=0)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, filters: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from serval.changes.models import ChangeType, Risk

        labels = {**dict(ChangeType.choices), **dict(Risk.choices)}
        for name in ("change_types", "risks"):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [(v, labels.get(v, v)) for v in filters.get(name, ())]


class StepForm(forms.Form):
    stage = forms.ChoiceField(label=_("Stage"))
    order = forms.IntegerField(
        label=_("Order"),
        min_value=1,
        max_value=99,
        initial=1,
        help_text=_("Steps of a stage with the same order run in parallel; higher orders wait."),
    )
    label = forms.CharField(label=_("Label"), max_length=200, required=False)
    approver_kind = forms.ChoiceField(label=_("Approvers"), choices=ApproverKind.choices)
    users = forms.CharField(
        label=_("People (usernames)"),
        required=False,
        max_length=4000,
        help_text=_("For “named people”: usernames separated by commas."),
    )
    team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None)
    board = forms.TypedChoiceField(label=_("Board"), required=False, coerce=int, empty_value=None)
    mode = forms.ChoiceField(label=_("Mode"), choices=Mode.choices, initial=Mode.ANY)
    quorum = forms.IntegerField(
        label=_("Quorum"),
        min_value=1,
        max_value=100,
        initial=1,
        help_text=_("For “a quorum”: how many must approve."),
    )

    def __init__(
        self,
        *args: Any,
        stages: tuple[str, ...],
        teams: list[tuple[int, str]],
        boards: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        from serval.approvals.summary import STAGE_LABELS

        empty: list[tuple[Any, Any]] = [("", "—")]
        for name, choices in (
            ("stage", [(s, STAGE_LABELS.get(s, s)) for s in stages]),
            ("team", empty + list(teams)),
            ("board", empty + list(boards)),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = choices

    def action_values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["users"] = _split(data.get("users") or "")
        return data


class BoardForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    chair = forms.CharField(label=_("Chair (username)"), required=False, max_length=150)
    members = forms.CharField(
        label=_("Members (usernames)"),
        required=False,
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Separated by commas. A board without members falls back to the change managers."
        ),
    )
    emergency = forms.BooleanField(label=_("Emergency board (ECAB)"), required=False)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def action_values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data["members"] = _split(data.get("members") or "")
        data["chair"] = (data.get("chair") or "").strip() or None
        return data


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class MeetingForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("Starts"), widget=DateTimeInput(), input_formats=["%Y-%m-%dT%H:%M"]
    )
    ends_at = forms.DateTimeField(
        label=_("Ends"), widget=DateTimeInput(), input_formats=["%Y-%m-%dT%H:%M"]
    )
    location = forms.CharField(label=_("Location"), required=False, max_length=300)
    attendees = forms.CharField(
        label=_("Attendees (usernames)"),
        required=False,
        max_length=8000,
        help_text=_("Separated by commas."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def action_values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data["attendees"] = _split(data.get("attendees") or "")
        return data


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        label=_("Minutes"),
        required=False,
        max_length=50000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Markdown: **bold**, lists, links."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class AgendaAddForm(forms.Form):
    change = forms.CharField(label=_("Change number"), max_length=32)


class AgendaDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (Decision.APPROVED, _("Approve")),
            (Decision.REJECTED, _("Reject")),
            (Decision.DEFERRED, _("Defer")),
        ],
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required to reject."),
    )


class DelegationForm(forms.Form):
    delegate = forms.CharField(label=_("Delegate (username)"), max_length=150)
    starts_at = forms.DateTimeField(
        label=_("From"), widget=DateTimeInput(), input_formats=["%Y-%m-%dT%H:%M"]
    )
    ends_at = forms.DateTimeField(
        label=_("Until"), widget=DateTimeInput(), input_formats=["%Y-%m-%dT%H:%M"]
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=200)
