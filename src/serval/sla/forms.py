"""Forms for the service-level admin pages and the compliance report.

They only shape input: working hours typed as "08:00–12:00, 13:00–17:00" per weekday become the
engine's {"mon": [["08:00", "12:00"], …]}, closed dates one per line, conditions as rows of
(field, operator, value) picked from the engine's allow-list — never raw JSON. Every rule that
matters (known time zone, intervals that end after they start, holiday country exists, clauses
the engine accepts) is checked again by `serval.sla.actions`, whose errors are put back on the
form so a rejected form re-renders with what the user typed.
"""

from __future__ import annotations

import re
import zoneinfo
from datetime import date
from functools import lru_cache
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from serval.core.errors import ValidationFailed
from serval.sla import calendars, conditions, escalation
from serval.sla.models import AgreementType, BusinessCalendar, SlaDefinition, Target, TimeZoneSource

WEEKDAY_LABELS = {
    "mon": _("Monday"),
    "tue": _("Tuesday"),
    "wed": _("Wednesday"),
    "thu": _("Thursday"),
    "fri": _("Friday"),
    "sat": _("Saturday"),
    "sun": _("Sunday"),
}
KIND_LABELS = {
    "start": _("Start when"),
    "pause": _("Pause when"),
    "stop": _("Stop (met) when"),
    "cancel": _("Cancel when"),
    "reset": _("Reset (new cycle) when"),
}
FIELD_LABELS = {
    "kind": _("Kind"),
    "state": _("State"),
    "hold_reason": _("On-hold reason"),
    "priority": _("Priority"),
    "impact": _("Impact"),
    "urgency": _("Urgency"),
    "service": _("Service"),
    "category": _("Category"),
    "channel": _("Channel"),
    "organization": _("Organization (id)"),
    "assignment_group": _("Assignment group (id)"),
    "assignee": _("Assignee (id)"),
}
OPERATOR_LABELS = {
    "eq": _("is"),
    "ne": _("is not"),
    "in": _("is one of"),
    "not_in": _("is none of"),
    "empty": _("is empty"),
    "not_empty": _("is not empty"),
}
UNITS = [
    ("minutes", _("minutes")),
    ("hours", _("hours")),
    ("days", _("business days")),
]
_INTERVAL = re.compile(r"^\s*(\d{1,2}:\d{2})\s*(?:-|–|—|to)\s*(\d{1,2}:\d{2})\s*$")
EXTRA_CLAUSE_ROWS = 1
MIN_CLAUSE_ROWS = 2


@lru_cache(maxsize=1)
def zone_choices() -> list[tuple[str, str]]:
    return [(z, z) for z in sorted(zoneinfo.available_timezones()) if "/" in z or z == "UTC"]


def add_action_errors(form: forms.Form, exc: ValidationFailed) -> None:
    """An action's field errors onto the form's fields (dotted names onto their root)."""
    for name, message in exc.as_dict().items():
        root = name
        if name.startswith("conditions."):
            root = "conditions_" + name.split(".")[1] if name.count(".") >= 1 else name
        elif name.startswith("closed_dates"):
            root = "closed_dates"
        elif name == "duration_seconds":
            root = "amount"
        form.add_error(root if root in form.fields else None, str(message))


# --- calendars -------------------------------------------------------------------------------


def day_to_text(intervals: list[list[str]]) -> str:
    return ", ".join(f"{start}–{end}" for start, end in intervals)


def text_to_day(text: str) -> list[list[str]]:
    """ "08:00–12:00, 13:00–17:00" → [["08:00", "12:00"], ["13:00", "17:00"]]; "" → []."""
    out: list[list[str]] = []
    for part in re.split(r"[,;\n]+", text or ""):
        if not part.strip():
            continue
        match = _INTERVAL.match(part)
        if not match:
            raise forms.ValidationError(_("Write intervals like 08:00–12:00, 13:00–17:00."))
        start, end = (f"{int(t.split(':')[0]):02d}:{t.split(':')[1]}" for t in match.groups())
        try:
            if calendars.hhmm_to_seconds(start) >= calendars.hhmm_to_seconds(end):
                raise forms.ValidationError(_("Each interval must end after it starts."))
        except ValueError:
            raise forms.ValidationError(_("Times are HH:MM, from 00:00 to 24:00.")) from None
        out.append([start, end])
    return out


def closed_dates_to_text(entries: Any) -> str:
    lines = []
    for entry in entries:
        words = [entry.date.isoformat()]
        if entry.yearly:
            words.append("yearly")
        if entry.name:
            words.append(entry.name)
        lines.append(" ".join(words))
    return "\n".join(lines)


def text_to_closed_dates(text: str) -> list[dict[str, Any]]:
    """One date per line: "2026-12-24 yearly Christmas Eve" or "2026-06-05 Office move"."""
    out = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        words = line.split()
        if not words:
            continue
        try:
            day = date.fromisoformat(words[0])
        except ValueError:
            raise forms.ValidationError(
                _("Line %(n)s: start with a date like 2026-12-24."), params={"n": number}
            ) from None
        yearly = len(words) > 1 and words[1].lower() in ("yearly", "every-year", "annual")
        name = " ".join(words[2:] if yearly else words[1:])[:200]
        out.append({"date": day.isoformat(), "yearly": yearly, "name": name})
    if len(out) > 500:
        raise forms.ValidationError(_("At most 500 dates."))
    return out


class CalendarForm(forms.Form):
    """A business calendar: zone, working intervals per weekday, holidays and closed dates."""

    name = forms.CharField(label=_("Name"), max_length=200)
    time_zone = forms.ChoiceField(label=_("Time zone"), initial="UTC")
    country = forms.CharField(
        label=_("Public holidays of country"),
        required=False,
        max_length=8,
        help_text=_("An ISO code such as DE, GB or US; leave empty for none."),
    )
    subdivision = forms.CharField(
        label=_("Region"),
        required=False,
        max_length=16,
        help_text=_("Optional state or region code, such as BY or CA."),
    )
    closed_dates = forms.CharField(
        label=_("Other closed dates"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One per line: a date, optionally “yearly”, then a name — "
            "e.g. “2026-12-24 yearly Christmas Eve”."
        ),
    )
    shared = forms.BooleanField(label=_("Shared with sub-tenants"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, data: Any = None, *, calendar: BusinessCalendar | None = None) -> None:
        initial: dict[str, Any] = {"time_zone": "UTC"}
        week: dict[str, Any]
        if calendar is None:
            week = {d: [["08:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
        else:
            week = calendar.week or {}
            initial.update(
                name=calendar.name,
                time_zone=calendar.time_zone,
                country=calendar.country,
                subdivision=calendar.subdivision,
                shared=calendar.shared,
                version=calendar.version,
                closed_dates=closed_dates_to_text(calendar.closed_dates.all()),
            )
        for day in calendars.WEEKDAYS:
            initial[f"week_{day}"] = day_to_text(week.get(day, []))
        super().__init__(data, initial=initial)
        self.fields["time_zone"].choices = zone_choices()  # type: ignore[attr-defined]
        for day in calendars.WEEKDAYS:
            self.fields[f"week_{day}"] = forms.CharField(
                label=WEEKDAY_LABELS[day],
                required=False,
                max_length=200,
                widget=forms.TextInput(attrs={"placeholder": _("closed")}),
            )

    @property
    def week_fields(self) -> list[Any]:
        return [self[f"week_{day}"] for day in calendars.WEEKDAYS]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        week: dict[str, list[list[str]]] = {}
        for day in calendars.WEEKDAYS:
            try:
                intervals = text_to_day(data.get(f"week_{day}", ""))
            except forms.ValidationError as exc:
                self.add_error(f"week_{day}", exc)
                continue
            if intervals:
                week[day] = intervals
        data["week"] = week
        try:
            data["closed"] = text_to_closed_dates(data.get("closed_dates", ""))
        except forms.ValidationError as exc:
            self.add_error("closed_dates", exc)
        return data

    def action_values(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "name": d["name"],
            "time_zone": d["time_zone"],
            "week": d["week"],
            "country": d.get("country") or "",
            "subdivision": d.get("subdivision") or "",
            "shared": bool(d.get("shared")),
            "closed_dates": d["closed"],
        }


# --- definitions -----------------------------------------------------------------------------


def business_day_seconds(calendar: BusinessCalendar | None) -> int:
    """One business day of a calendar: its longest working weekday (24 h on 24×7)."""
    if calendar is None:
        return 86400
    try:
        spec = calendars.week_from_json(calendar.week or {})
    except (ValueError, TypeError):
        return 86400
    longest = max((sum(e - s for s, e in day) for day in spec), default=0)
    return longest or 86400


def split_duration(seconds: int, day: int) -> tuple[int, str]:
    if seconds % day == 0 and day != 86400 and seconds >= day:
        return seconds // day, "days"
    if seconds % 3600 == 0:
        return seconds // 3600, "hours"
    return max(1, seconds // 60), "minutes"


def clauses_to_rows(clauses: list[dict[str, Any]]) -> list[dict[str, str]]:
    rows = []
    for clause in clauses or []:
        value = clause.get("value", "")
        text = ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
        rows.append({"field": clause["field"], "op": clause["op"], "value": text})
    return rows


class DefinitionForm(forms.Form):
    """An SLA / OLA / UC definition; conditions are rows over the engine's allow-list."""

    name = forms.CharField(label=_("Name"), max_length=200)
    type = forms.ChoiceField(label=_("Type"), choices=AgreementType.choices)
    target = forms.ChoiceField(label=_("Target"), choices=Target.choices)
    amount = forms.IntegerField(label=_("Duration"), min_value=1, max_value=527040)
    unit = forms.ChoiceField(label=_("Unit"), choices=UNITS)
    calendar = forms.ChoiceField(label=_("Calendar"), required=False)
    time_zone_source = forms.ChoiceField(
        label=_("Time zone"), choices=TimeZoneSource.choices, initial="definition"
    )
    retroactive_start = forms.BooleanField(
        label=_("Count from when the item was opened"), required=False, initial=True
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    shared = forms.BooleanField(label=_("Shared with sub-tenants"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        data: Any = None,
        *,
        calendars_qs: Any,
        definition: SlaDefinition | None = None,
        teams_qs: Any = (),
    ) -> None:
        initial: dict[str, Any] = {
            "type": "sla",
            "target": "resolution",
            "unit": "hours",
            "amount": 8,
            "time_zone_source": "definition",
            "retroactive_start": True,
            "active": True,
        }
        rows: dict[str, list[dict[str, str]]] = {k: [] for k in conditions.KINDS}
        self.calendar_objects = {str(c.pk): c for c in calendars_qs}
        if definition is not None:
            amount, unit = split_duration(
                definition.duration_seconds, business_day_seconds(definition.calendar)
            )
            initial.update(
                name=definition.name,
                type=definition.type,
                target=definition.target,
                amount=amount,
                unit=unit,
                calendar=str(definition.calendar_id or ""),
                time_zone_source=definition.time_zone_source,
                retroactive_start=definition.retroactive_start,
                active=definition.active,
                shared=definition.shared,
                version=definition.version,
            )
            for kind in conditions.KINDS:
                rows[kind] = clauses_to_rows((definition.conditions or {}).get(kind, []))
            for rule in definition.escalation or []:
                if rule.get("action") == "notify_manager":
                    initial[f"esc_{rule['at']}_notify"] = True
                elif rule.get("action") == "reassign":
                    initial[f"esc_{rule['at']}_team"] = str(rule.get("team") or "")
        for kind, kind_rows in rows.items():
            for index, row in enumerate(kind_rows):
                for part, value in row.items():
                    initial[f"cond_{kind}_{index}_{part}"] = value
        super().__init__(data, initial=initial)
        self.fields["calendar"].choices = [  # type: ignore[attr-defined]
            ("", _("24×7 (no calendar)")),
            *((pk, c.name) for pk, c in self.calendar_objects.items()),
        ]
        team_choices = [("", _("— keep the team —")), *((str(t.pk), t.name) for t in teams_qs)]
        for level in escalation.LEVELS:
            self.fields[f"esc_{level}_notify"] = forms.BooleanField(
                label=_("Mail the team's manager"), required=False
            )
            self.fields[f"esc_{level}_team"] = forms.ChoiceField(
                label=_("Reassign to"), choices=team_choices, required=False
            )
        field_choices = [("", "—"), *((k, FIELD_LABELS.get(k, k)) for k in conditions.FIELDS)]
        op_choices = [(k, OPERATOR_LABELS[k]) for k in conditions.OPERATORS]
        self.condition_rows: dict[str, list[dict[str, Any]]] = {}
        for kind in conditions.KINDS:
            count = len(rows[kind])
            if self.is_bound:  # keep every row the user posted, even beyond the initial ones
                while f"cond_{kind}_{count}_field" in self.data:
                    count += 1
            count = max(count + EXTRA_CLAUSE_ROWS, MIN_CLAUSE_ROWS)
            count = min(count, conditions.MAX_CLAUSES)
            self.fields[f"conditions_{kind}"] = forms.CharField(required=False)  # errors only
            for index in range(count):
                prefix = f"cond_{kind}_{index}"
                self.fields[f"{prefix}_field"] = forms.ChoiceField(
                    label=_("Field"), choices=field_choices, required=False
                )
                self.fields[f"{prefix}_op"] = forms.ChoiceField(
                    label=_("Operator"), choices=op_choices, required=False
                )
                self.fields[f"{prefix}_value"] = forms.CharField(
                    label=_("Value"), required=False, max_length=2000
                )
            self.condition_rows[kind] = [
                {
                    "field": self[f"cond_{kind}_{i}_field"],
                    "op": self[f"cond_{kind}_{i}_op"],
                    "value": self[f"cond_{kind}_{i}_value"],
                }
                for i in range(count)
            ]

    @property
    def condition_groups(self) -> list[dict[str, Any]]:
        return [
            {
                "kind": kind,
                "label": KIND_LABELS[kind],
                "rows": self.condition_rows[kind],
                "errors": self[f"conditions_{kind}"].errors,
            }
            for kind in conditions.KINDS
        ]

    @property
    def escalation_rows(self) -> list[dict[str, Any]]:
        """One row per level (50 %, 75 %, breach): mail the manager, reassign, or both."""
        return [
            {
                "level": level,
                "notify": self[f"esc_{level}_notify"],
                "team": self[f"esc_{level}_team"],
            }
            for level in escalation.LEVELS
        ]

    def selected_calendar(self) -> BusinessCalendar | None:
        key = self.cleaned_data.get("calendar") if hasattr(self, "cleaned_data") else None
        return self.calendar_objects.get(str(key or ""))

    def duration_seconds(self) -> int:
        amount, unit = self.cleaned_data["amount"], self.cleaned_data["unit"]
        if unit == "days":
            return int(amount) * business_day_seconds(self.selected_calendar())
        return int(amount) * (3600 if unit == "hours" else 60)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        built: dict[str, list[dict[str, Any]]] = {}
        for kind in conditions.KINDS:
            clauses = []
            for row in self.condition_rows[kind]:
                name = row["field"].name
                field = data.get(name)
                if not field:
                    continue
                op = data.get(row["op"].name) or "eq"
                clause: dict[str, Any] = {"field": field, "op": op}
                if op not in ("empty", "not_empty"):
                    try:
                        clause["value"] = _parse_value(field, op, data.get(row["value"].name, ""))
                    except forms.ValidationError as exc:
                        self.add_error(row["value"].name, exc)
                        continue
                clauses.append(clause)
            if clauses:
                built[kind] = clauses
        data["conditions"] = built
        rules: list[dict[str, Any]] = []
        for level in escalation.LEVELS:
            if data.get(f"esc_{level}_notify"):
                rules.append({"at": level, "action": "notify_manager"})
            if data.get(f"esc_{level}_team"):
                rules.append(
                    {"at": level, "action": "reassign", "team": int(data[f"esc_{level}_team"])}
                )
        data["escalation"] = rules
        return data

    def action_values(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "name": d["name"],
            "type": d["type"],
            "target": d["target"],
            "duration_seconds": self.duration_seconds(),
            "calendar": int(d["calendar"]) if d.get("calendar") else None,
            "time_zone_source": d["time_zone_source"],
            "conditions": d["conditions"],
            "escalation": d["escalation"],
            "retroactive_start": bool(d.get("retroactive_start")),
            "active": bool(d.get("active")),
            "shared": bool(d.get("shared")),
        }


def _parse_value(field: str, op: str, text: str) -> Any:
    """The value box as the engine's type: numbers for numeric fields, lists for in / not in."""
    kind = conditions.FIELDS[field][1]
    parts = [p.strip() for p in (text or "").split(",") if p.strip()]
    if not parts:
        raise forms.ValidationError(_("Enter a value."))
    values: list[Any] = []
    for part in parts:
        if kind is int:
            part = part.upper().removeprefix("P") if field == "priority" else part
            if not part.isdigit():
                raise forms.ValidationError(_("Enter whole numbers."))
            values.append(int(part))
        else:
            values.append(part)
    if op in ("in", "not_in"):
        return values
    if len(values) > 1:
        raise forms.ValidationError(_("One value; use “is one of” for several."))
    return values[0]


# --- report ----------------------------------------------------------------------------------


class ComplianceFilterForm(forms.Form):
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    target = forms.ChoiceField(
        label=_("Target"), required=False, choices=[("", _("Both")), *Target.choices]
    )
