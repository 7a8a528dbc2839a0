"""Forms for the change pages: they shape input for the actions and show the actions' errors.

Business rules stay in `serval.changes.actions` / `tasks` / `standard`; a `ValidationFailed`
comes back onto the form with `add_action_errors`. Planned and actual windows use
`datetime-local` inputs, read and shown in the user's time zone (the middleware activates it).
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django import forms
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from serval.changes import actions
from serval.changes import states as S
from serval.changes.models import (
    ChangeDetail,
    ChangeTemplate,
    ChangeType,
    CloseCode,
    ConflictStatus,
    Risk,
)
from serval.cmdb import worklinks
from serval.cmdb.models import WorkItemCI
from serval.incidents.forms import (
    VERSION_ATTRS,
    add_action_errors,
    agents_in_reach,
    member_choices,
    team_choices,
)
from serval.people.models import User
from serval.services.querysets import services_visible_to
from serval.web import listfilters
from serval.work.models import LEVELS, WorkItem

__all__ = ["add_action_errors"]

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


class LocalDateTimeInput(forms.DateTimeInput):
    """<input type="datetime-local">, shown in the active (the user's) time zone."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format=LOCAL_FORMAT)


def local_datetime(label: Any, **kwargs: Any) -> forms.DateTimeField:
    kwargs.setdefault("required", False)
    return forms.DateTimeField(
        label=label,
        widget=LocalDateTimeInput(),
        input_formats=[LOCAL_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        **kwargs,
    )


# --- list filters ---------------------------------------------------------------------------

SORTS = {
    "-opened": ("-opened_at", "-pk"),
    "opened": ("opened_at", "pk"),
    "-updated": ("-updated_at", "-pk"),
    "planned": ("change__planned_start", "pk"),
    "-planned": ("-change__planned_start", "-pk"),
    "priority": ("priority", "-opened_at", "-pk"),
    "risk": ("-risk_rank", "-opened_at", "-pk"),
    "number": ("number",),
    "-number": ("-number",),
    "state": ("state", "-opened_at", "-pk"),
    "title": ("title", "pk"),
}
SORT_LABELS = [
    ("-opened", _("Newest first")),
    ("opened", _("Oldest first")),
    ("-updated", _("Recently updated")),
    ("planned", _("Planned start")),
    ("-planned", _("Planned start, latest first")),
    ("priority", _("Priority")),
    ("risk", _("Risk, highest first")),
    ("number", _("Number")),
    ("state", _("State")),
    ("title", _("Title")),
]


class ChangeFilterForm(forms.Form):
    """The one filter definition for the change list, its CSV export and saved views."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    state = forms.ChoiceField(label=_("State"), required=False)
    type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("Any type")), *ChangeType.choices]
    )
    risk = forms.ChoiceField(
        label=_("Risk"), required=False, choices=[("", _("Any risk")), *Risk.choices]
    )
    team = forms.ChoiceField(label=_("Assignment group"), required=False)
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    requester = forms.ChoiceField(
        label=_("Requester"),
        required=False,
        choices=[("", _("Anyone")), ("me", _("Me"))],
    )
    service = forms.TypedChoiceField(
        label=_("Impacted service"), required=False, coerce=int, empty_value=None
    )
    ci = forms.IntegerField(
        label=_("Affected CI"),
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        widget=forms.HiddenInput,
    )
    planned_from = forms.DateField(
        label=_("Planned from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    planned_to = forms.DateField(
        label=_("Planned to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    conflicts = forms.ChoiceField(
        label=_("Conflicts"),
        required=False,
        choices=[("", _("Any")), *ConflictStatus.choices],
    )
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_LABELS)

    def __init__(self, data: Any, *, user: User, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.user = user
        self.fields["state"].choices = [  # type: ignore[attr-defined]
            ("open", _("Open")),
            ("all", _("Any state")),
            *S.NORMAL.choices(),
        ]
        self.fields["team"].choices = [  # type: ignore[attr-defined]
            ("", _("Any group")),
            ("mine", _("My groups")),
            *team_choices(user, "")[1:],
        ]
        agents = agents_in_reach(user).only("pk", "username", "first_name", "last_name")
        self.fields["assignee"].choices = [  # type: ignore[attr-defined]
            ("", _("Anyone")),
            ("me", _("Me")),
            ("unassigned", _("Unassigned")),
            *((str(a.pk), a.display_name) for a in agents),
        ]
        services = services_visible_to(user).order_by("name").values_list("pk", "name")[:500]
        self.fields["service"].choices = [  # type: ignore[attr-defined]
            ("", _("Any service")),
            *((str(pk), name) for pk, name in services),
        ]

    def apply(self, qs: QuerySet[WorkItem]) -> QuerySet[WorkItem]:
        """Narrow an already visibility-filtered queryset; invalid input filters nothing out."""
        from django.db.models import Case, IntegerField, Value, When

        from serval.changes.models import RISK_ORDER

        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        qs = listfilters.by_state(qs, data.get("state"), S.OPEN_STATES)
        if data.get("type"):
            qs = qs.filter(change__change_type=data["type"])
        if data.get("risk"):
            qs = qs.filter(change__risk=data["risk"])
        qs = listfilters.by_routing(qs, data, self.user)
        if data.get("requester") == "me":
            qs = qs.filter(caller=self.user)
        if data.get("service"):
            qs = qs.filter(worklinks.impacting(self.user, int(data["service"])))
        if data.get("ci"):
            qs = qs.filter(
                Exists(WorkItemCI.objects.filter(work_item=OuterRef("pk"), ci_id=data["ci"]))
            )
        tz = timezone.get_current_timezone()
        if data.get("planned_from"):
            start = timezone.make_aware(datetime.combine(data["planned_from"], time.min), tz)
            qs = qs.filter(change__planned_end__gt=start)
        if data.get("planned_to"):
            end = timezone.make_aware(datetime.combine(data["planned_to"], time.max), tz)
            qs = qs.filter(change__planned_start__lt=end)
        if data.get("conflicts"):
            qs = qs.filter(change__conflict_status=data["conflicts"])
        if data.get("q"):
            qs = qs.search(data["q"])  # type: ignore[attr-defined]
        sort = data.get("sort") or "-opened"
        if sort == "risk":
            qs = qs.annotate(
                risk_rank=Case(
                    *(When(change__risk=k, then=Value(v)) for k, v in RISK_ORDER.items()),
                    default=Value(0),
                    output_field=IntegerField(),
                )
            )
        if sort in ("planned", "-planned"):
            from django.db.models import F

            key = F("change__planned_start")
            first = key.asc(nulls_last=True) if sort == "planned" else key.desc(nulls_last=True)
            return qs.order_by(first, "pk")
        return qs.order_by(*SORTS[sort])

    def active_count(self) -> int:
        if not (self.is_bound and self.is_valid()):
            return 0
        data = self.cleaned_data
        names = (
            "q",
            "type",
            "risk",
            "team",
            "assignee",
            "requester",
            "service",
            "ci",
            "planned_from",
            "planned_to",
            "conflicts",
        )
        return sum(1 for n in names if data.get(n) not in (None, "")) + (
            1 if data.get("state") not in ("", "open") else 0
        )


# --- create and edit ------------------------------------------------------------------------

PLAN_FIELDS = ("justification", "implementation_plan", "backout_plan", "test_plan")
TIME_FIELDS = ("planned_start", "planned_end", "actual_start", "actual_end", "cab_date")


def usable_templates(user: User) -> QuerySet[ChangeTemplate]:
    from serval.changes.standard import templates_visible_to

    return templates_visible_to(user).filter(active=True, approved_at__isnull=False)


class ChangeForm(forms.Form):
    """A change's fields; the create page and the edit page use the same form."""

    change_type = forms.ChoiceField(
        label=_("Type"),
        choices=[(ChangeType.NORMAL, _("Normal")), (ChangeType.EMERGENCY, _("Emergency"))],
        initial=ChangeType.NORMAL,
    )
    template = forms.IntegerField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(label=_("Short description"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Markdown is supported."),
    )
    category = forms.CharField(label=_("Category"), required=False, max_length=100)
    caller = forms.CharField(
        label=_("Requester"),
        required=False,
        max_length=150,
        help_text=_("Username of the person asking for the change; leave empty for yourself."),
    )
    impact = forms.TypedChoiceField(label=_("Impact"), choices=LEVELS, coerce=int, initial=3)
    urgency = forms.TypedChoiceField(label=_("Urgency"), choices=LEVELS, coerce=int, initial=3)
    assignment_group = forms.ChoiceField(label=_("Assignment group"), required=False)
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    justification = forms.CharField(
        label=_("Justification"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why is the change needed, and what happens without it?"),
    )
    implementation_plan = forms.CharField(
        label=_("Implementation plan"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    backout_plan = forms.CharField(
        label=_("Backout plan"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    test_plan = forms.CharField(
        label=_("Test plan"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    planned_start = local_datetime(_("Planned start"))
    planned_end = local_datetime(_("Planned end"))
    actual_start = local_datetime(_("Actual start"))
    actual_end = local_datetime(_("Actual end"))
    cab_date = local_datetime(_("CAB date"))
    version = forms.IntegerField(widget=forms.HiddenInput(attrs=VERSION_ATTRS), required=False)

    def __init__(
        self,
        data: Any = None,
        *,
        user: User,
        item: WorkItem | None = None,
        detail: ChangeDetail | None = None,
        template: ChangeTemplate | None = None,
        **kwargs: Any,
    ) -> None:
        if item is not None and detail is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_from_change(item, detail)
        elif template is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_from_template(template)
        super().__init__(data, **kwargs)
        self.user, self.item, self.detail = user, item, detail
        self.chosen_template = template
        self.frozen: list[str] = []
        if item is None:
            for name in ("actual_start", "actual_end", "version"):
                del self.fields[name]
            if template is not None:
                del self.fields["change_type"]
        else:
            del self.fields["template"]
            assert detail is not None
            if item.state != S.NEW or detail.approval_round or detail.template_id:
                del self.fields["change_type"]
            if item.state in actions.FROZEN_STATES:
                reason = _("Approved as it is; revert the change to New to re-plan.")
                for name in sorted(actions.FROZEN):
                    if name in self.fields and getattr(detail, name) not in (None, ""):
                        self.fields[name].disabled = True
                        self.fields[name].help_text = reason
                        self.frozen.append(name)
        groups = team_choices(user, str(_("— None —")))
        self.fields["assignment_group"].choices = groups  # type: ignore[attr-defined]
        self.fields["assignment_group"].widget.attrs.update(
            {"data-assignee-source": "true", "autocomplete": "off"}
        )
        team_id = self.data.get(self.add_prefix("assignment_group")) if self.is_bound else None
        if team_id is None:
            team_id = self.initial.get("assignment_group")
        self.fields["assignee"].choices = member_choices(  # type: ignore[attr-defined]
            user, team_id, str(_("— Unassigned —"))
        )
        self.fields["assignee"].widget.attrs["hx-sync"] = "this:queue last"
        self.fields["caller"].widget.attrs.update({"list": "callers-list", "autocomplete": "off"})

    def action_values(self) -> dict[str, Any]:
        """Cleaned values as the actions take them; frozen (disabled) fields are left out."""
        values = {
            k: v
            for k, v in self.cleaned_data.items()
            if k not in ("version", "template") and k not in self.frozen
        }
        for name in ("assignment_group", "assignee"):
            if name in values:
                values[name] = int(values[name]) if values[name] else None
        if "caller" in values and not values["caller"]:
            if self.item is not None:
                values["caller"] = self.item.caller.username
            else:
                values.pop("caller")
        if self.item is not None:
            # Only what changed: an untouched frozen-state form must not trip the freeze.
            initial = initial_from_change(self.item, self.detail)  # type: ignore[arg-type]
            values = {k: v for k, v in values.items() if _differs(initial.get(k), v)}
        return values


def _differs(old: Any, new: Any) -> bool:
    if isinstance(old, str) and old.isdigit() and isinstance(new, int):
        return int(old) != new
    if old in (None, "") and new in (None, ""):
        return False
    if hasattr(old, "timestamp") and hasattr(new, "timestamp"):
        return int(old.timestamp()) // 60 != int(new.timestamp()) // 60
    return bool(old != new)


def initial_from_change(item: WorkItem, detail: ChangeDetail) -> dict[str, Any]:
    values: dict[str, Any] = {
        "change_type": detail.change_type,
        "title": item.title,
        "description": item.description,
        "category": item.category,
        "caller": item.caller.username if item.caller_id else "",
        "impact": item.impact,
        "urgency": item.urgency,
        "assignment_group": str(item.assignment_group_id or ""),
        "assignee": str(item.assignee_id or ""),
        "version": item.version,
    }
    for name in (*PLAN_FIELDS, *TIME_FIELDS):
        value = getattr(detail, name)
        values[name] = timezone.localtime(value) if name in TIME_FIELDS and value else value
    return values


def initial_from_template(template: ChangeTemplate) -> dict[str, Any]:
    return {
        "template": template.pk,
        "title": template.title,
        "description": template.description,
        "category": template.category,
        "impact": template.impact,
        "urgency": template.urgency,
        "assignment_group": str(template.assignment_group_id or ""),
        **{name: getattr(template, name) for name in PLAN_FIELDS},
    }


# --- transitions ----------------------------------------------------------------------------


class ChangeTransitionForm(forms.Form):
    """The fields one move needs, from the type's machine (`requires`) and the conflicts."""

    to = forms.CharField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput(attrs=VERSION_ATTRS))
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, data: Any = None, *, requires: tuple[str, ...], **kw: Any) -> None:
        super().__init__(data, **kw)
        if "close_code" in requires:
            self.fields["close_code"] = forms.ChoiceField(
                label=_("Close code"), choices=[("", "—"), *CloseCode.choices]
            )
        if "close_notes" in requires:
            self.fields["close_notes"] = forms.CharField(
                label=_("Close notes"),
                max_length=20000,
                widget=forms.Textarea(attrs={"rows": 4}),
                help_text=_("What was done, and how it went."),
            )
        if "cancel_reason" in requires:
            self.fields["cancel_reason"] = forms.CharField(
                label=_("Why is it cancelled?"),
                max_length=4000,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        if "conflict_override_reason" in requires:
            self.fields["conflict_override_reason"] = forms.CharField(
                label=_("Reason to schedule despite the conflicts"),
                max_length=4000,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text=_(
                    "The change has conflicts no override covers; a change manager must say "
                    "why it may go ahead anyway."
                ),
            )
        self.order_fields([*[n for n in self.fields if n != "comment"], "comment"])

    def action_fields(self) -> dict[str, Any]:
        return {
            k: v
            for k, v in self.cleaned_data.items()
            if k not in ("to", "version") and v not in (None, "")
        }


# --- tasks, links, comments -----------------------------------------------------------------


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    assignment_group = forms.ChoiceField(label=_("Assignment group"), required=False)
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    due_date = local_datetime(_("Due"))
    version = forms.IntegerField(widget=forms.HiddenInput(attrs=VERSION_ATTRS), required=False)

    def __init__(self, data: Any = None, *, user: User, task: WorkItem | None = None, **kw: Any):
        if task is not None and "initial" not in kw:
            kw["initial"] = {
                "title": task.title,
                "description": task.description,
                "assignment_group": str(task.assignment_group_id or ""),
                "assignee": str(task.assignee_id or ""),
                "due_date": timezone.localtime(task.due_date) if task.due_date else None,
                "version": task.version,
            }
        super().__init__(data, **kw)
        self.task = task
        self.fields["assignment_group"].choices = team_choices(  # type: ignore[attr-defined]
            user, str(_("— None —"))
        )
        self.fields["assignment_group"].widget.attrs["data-assignee-source"] = "true"
        team_id = self.data.get(self.add_prefix("assignment_group")) if self.is_bound else None
        if team_id is None:
            team_id = self.initial.get("assignment_group")
        self.fields["assignee"].choices = member_choices(  # type: ignore[attr-defined]
            user, team_id, str(_("— Unassigned —"))
        )
        if task is None:
            del self.fields["version"]

    def action_values(self) -> dict[str, Any]:
        values = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        for name in ("assignment_group", "assignee"):
            values[name] = int(values[name]) if values.get(name) else None
        if self.task is None:
            return {k: v for k, v in values.items() if v not in (None, "")}
        return values


class TaskTransitionForm(forms.Form):
    to = forms.CharField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput(attrs=VERSION_ATTRS))

    def __init__(self, data: Any = None, *, requires: tuple[str, ...], **kw: Any) -> None:
        super().__init__(data, **kw)
        if "close_notes" in requires:
            self.fields["close_notes"] = forms.CharField(
                label=_("Close notes"),
                max_length=20000,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        if "cancel_reason" in requires:
            self.fields["cancel_reason"] = forms.CharField(
                label=_("Why is it cancelled?"),
                max_length=4000,
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    def action_fields(self) -> dict[str, Any]:
        return {
            k: v
            for k, v in self.cleaned_data.items()
            if k not in ("to", "version") and v not in (None, "")
        }


# --- templates (standard-change models) -----------------------------------------------------


class TemplateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("When to use this template."),
    )
    category = forms.CharField(label=_("Category"), required=False, max_length=100)
    title = forms.CharField(label=_("Short description of the changes"), max_length=200)
    justification = forms.CharField(
        label=_("Justification"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    implementation_plan = forms.CharField(
        label=_("Implementation plan"), max_length=20000, widget=forms.Textarea(attrs={"rows": 4})
    )
    backout_plan = forms.CharField(
        label=_("Backout plan"), max_length=20000, widget=forms.Textarea(attrs={"rows": 3})
    )
    test_plan = forms.CharField(
        label=_("Test plan"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    impact = forms.TypedChoiceField(label=_("Impact"), choices=LEVELS, coerce=int, initial=3)
    urgency = forms.TypedChoiceField(label=_("Urgency"), choices=LEVELS, coerce=int, initial=3)
    assignment_group = forms.ChoiceField(label=_("Assignment group"), required=False)
    shared = forms.BooleanField(label=_("Shared with sub-tenants"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, data: Any = None, *, user: User, **kw: Any) -> None:
        super().__init__(data, **kw)
        self.fields["assignment_group"].choices = team_choices(  # type: ignore[attr-defined]
            user, str(_("— None —"))
        )

    def action_values(self) -> dict[str, Any]:
        values = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        values["assignment_group"] = (
            int(values["assignment_group"]) if values.get("assignment_group") else None
        )
        return values


class TemplateTaskForm(forms.Form):
    title = forms.CharField(label=_("Task"), required=False, max_length=200)
    description = forms.CharField(label=_("Description"), required=False, max_length=4000)
    assignment_group = forms.ChoiceField(label=_("Team"), required=False)

    def __init__(self, *args: Any, user: User, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["assignment_group"].choices = team_choices(  # type: ignore[attr-defined]
            user, str(_("— None —"))
        )


TemplateTaskFormSet = forms.formset_factory(
    TemplateTaskForm, extra=3, max_num=50, absolute_max=60, validate_max=True
)


def template_tasks(formset: Any) -> list[dict[str, Any]]:
    """The task list from the formset rows that have a title."""
    out = []
    for row in formset.cleaned_data:
        if row and row.get("title"):
            out.append(
                {
                    "title": row["title"],
                    "description": row.get("description") or "",
                    "assignment_group": int(row["assignment_group"])
                    if row.get("assignment_group")
                    else None,
                }
            )
    return out
