"""Forms for the incident pages: they shape input for the actions and show the actions' errors.

The forms only check types and choices; every business rule stays in `serval.incidents.actions`.
A `ValidationFailed` from an action is mapped back onto the form with `add_action_errors`, so a
rejected form re-renders with everything the user typed (DESIGN.md rule 1).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import Any

from django import forms
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from serval.cmdb import worklinks
from serval.core import rawrows
from serval.core.errors import ValidationFailed
from serval.core.rawrows import column, table
from serval.incidents import actions
from serval.incidents.listing import visible_clocks
from serval.incidents.states import CLOSE_CODES, HOLD_REASONS, INCIDENT, OPEN_STATES
from serval.people.models import Role, Team, User
from serval.people.querysets import teams_visible_to, users_visible_to
from serval.sla.models import ACTIVE_STAGES, SlaClock, Stage
from serval.web import listfilters
from serval.web.widgets import FastSelect, FastWidgetsForm, option_tags
from serval.work.models import LEVELS, PRIORITIES, Channel, WorkItem

AGENT_ROLES = (Role.AGENT, Role.MANAGER, Role.ADMIN)
CALLERS = 500  # at most this many callers are suggested
# app.js refreshes inputs carrying this attribute when an htmx write returns a new version.
VERSION_ATTRS = {"data-item-version": ""}


def add_action_errors(form: forms.Form, exc: ValidationFailed) -> None:
    """Put an action's field errors on the matching form fields, the rest above the form."""
    for field, message in exc.as_dict().items():
        form.add_error(field if field in form.fields else None, str(message))


def agents_in_reach(user: User) -> QuerySet[User]:
    return users_visible_to(user).filter(role__in=AGENT_ROLES, is_active=True)


def _memo(user: User, key: Any, compute: Any) -> Any:
    """Remember a choice list on the request's user object: the incident page's side panel and
    each transition dialog offer the same teams and members, read once per request."""
    memo: dict[Any, Any] | None = getattr(user, "_serval_choices", None)
    if memo is None:
        memo = {}
        user._serval_choices = memo  # type: ignore[attr-defined]
    if key not in memo:
        memo[key] = compute()
    return memo[key]


@cache
def _choice_sql(vendor: str) -> dict[str, str]:
    """The heads and tails of the choice lists' statements, written once per process (`vendor`
    keys it): compiling their querysets cost ~2 ms of every page with an edit form (issue 6).
    The conditions — who may see which team or person — still come from the querysets of
    serval.people.querysets (`rawrows.rows_where`). Only names from the models go in."""
    team, user, members = table(Team), table(User), table(Team.members.through)
    t_id, t_name = (f"{team}.{column(Team, n)}" for n in ("id", "name"))
    u = {n: f"{user}.{column(User, n)}" for n in ("id", "username", "first_name", "last_name")}
    through = Team.members.through
    roles = ", ".join(["%s"] * len(AGENT_ROLES))
    return {
        "teams": f"SELECT {t_id}, {t_name} FROM {team}",  # noqa: S608
        "teams_order": f"ORDER BY {t_name}",
        "members": (
            f"SELECT {u['id']}, {u['username']}, {u['first_name']}, {u['last_name']} "  # noqa: S608
            f"FROM {user} JOIN {members} ON {members}.{column(through, 'user')} = {u['id']} "
            f"WHERE {members}.{column(through, 'team')} = %s AND {user}.{column(User, 'is_active')}"
            f" = %s AND {user}.{column(User, 'role')} IN ({roles}) "
            f"ORDER BY {u['first_name']}, {u['last_name']}, {u['username']}"
        ),
        "callers": f"SELECT {u['username']}, {u['first_name']}, {u['last_name']} FROM {user}",  # noqa: S608
        "callers_order": f"ORDER BY {u['username']} LIMIT {CALLERS}",
    }


def _visible_teams(user: User) -> list[tuple[str, str]]:
    """(id, name) of the teams the user may see (`teams_visible_to`), by name; once a request."""

    def read() -> list[tuple[str, str]]:
        qs = teams_visible_to(user)
        sql = _choice_sql(connection.vendor)
        found = rawrows.rows_where(qs, sql["teams"], sql["teams_order"])
        if found is None:
            found = list(qs.values_list("pk", "name"))
        return [(str(pk), name) for pk, name in found]

    return _memo(user, "teams", read)  # type: ignore[no-any-return]


def team_choices(user: User, blank: str) -> list[tuple[str, str]]:
    return [("", blank), *_visible_teams(user)]


def member_choices(user: User, team_id: Any, blank: str) -> list[tuple[str, str]]:
    """Agents of one team the user can see, for the assignee select (re-fetched by htmx)."""
    choices: list[tuple[str, str]] = [("", blank)]
    if team_id in (None, "") or not str(team_id).isdigit() or len(str(team_id)) > 18:
        return choices

    def members() -> list[tuple[str, str]]:
        # A team the user may not see has no members to offer: its visibility is the list of
        # visible teams, read once per request anyway (`_visible_teams`).
        if str(int(team_id)) not in {pk for pk, _name in _visible_teams(user)}:
            return []
        sql = _choice_sql(connection.vendor)["members"]
        people = rawrows.rows(sql, [int(team_id), True, *AGENT_ROLES])
        return [(str(pk), f"{f} {la}".strip() or name) for pk, name, f, la in people]

    return [*choices, *_memo(user, ("members", int(team_id)), members)]


# --- list filters ---------------------------------------------------------------------------

SORTS = {
    "-opened": ("-opened_at", "-pk"),
    "opened": ("opened_at", "pk"),
    "-updated": ("-updated_at", "-pk"),
    "priority": ("priority", "-opened_at", "-pk"),
    "number": ("number",),
    "-number": ("-number",),
    "state": ("state", "-opened_at", "-pk"),
    "title": ("title", "pk"),
    # Items without a running clock go last (see IncidentFilterForm.apply).
    "breach": (F("next_breach").asc(nulls_last=True), "priority", "pk"),
}
MAX_SERVICE_CHOICES = 500
SORT_LABELS = [
    ("-opened", _("Newest first")),
    ("opened", _("Oldest first")),
    ("-updated", _("Recently updated")),
    ("priority", _("Priority")),
    ("number", _("Number")),
    ("state", _("State")),
    ("title", _("Title")),
    ("breach", _("Next breach")),
]


def _options(choices: Iterable[tuple[Any, Any]], selected: Any) -> SafeString:
    """`<option>`s for a filter select, built in one pass (hundreds of agents at scale)."""
    return option_tags(choices, () if selected is None else (selected,))


_TEAM = re.compile(r"^(mine|\d{1,18})$")
_ASSIGNEE = re.compile(r"^(me|unassigned|\d{1,18})$")
_ID = re.compile(r"^\d{1,18}$")


class IncidentFilterForm(forms.Form):
    """The one filter definition for incident lists, team queues and saved views.

    The group, assignee and impacted-service filters take ids (or a keyword) and only narrow a
    queryset that is already limited to what the user may see, so their choices are read only
    when the full page draws the selects, not on every htmx refresh of the results.
    """

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    state = forms.ChoiceField(label=_("State"), required=False)
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Any priority")), *PRIORITIES],
    )
    team = forms.RegexField(label=_("Assignment group"), required=False, regex=_TEAM)
    assignee = forms.RegexField(label=_("Assignee"), required=False, regex=_ASSIGNEE)
    service = forms.CharField(label=_("Service"), required=False, max_length=200)
    impacted_service = forms.RegexField(label=_("Impacted service"), required=False, regex=_ID)
    at_risk = forms.BooleanField(
        label=_("At risk"),
        required=False,
        help_text=_("A running service level is past 75 % of its time or breached."),
    )
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_LABELS)

    def __init__(self, data: Any, *, user: User, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.user = user
        self.fields["state"].choices = [  # type: ignore[attr-defined]
            ("open", _("Open")),
            ("all", _("Any state")),
            *INCIDENT.choices(),
        ]
        if not user.is_agent:
            del self.fields["team"]
            del self.fields["assignee"]

    def value(self, name: str, default: Any = "") -> Any:
        if self.is_bound and self.is_valid():
            return self.cleaned_data.get(name) or default
        return default

    # --- the selects' options, for the full page only ---

    def _selected(self, name: str) -> Any:
        return self[name].value() if name in self.fields else None

    def team_options(self) -> SafeString:
        teams = teams_visible_to(self.user).values_list("pk", "name")
        choices = [("", _("Any group")), ("mine", _("My groups")), *teams]
        return _options(choices, self._selected("team"))

    def assignee_options(self) -> SafeString:
        agents = agents_in_reach(self.user).order_by("first_name", "last_name", "username")
        people = agents.values_list("pk", "username", "first_name", "last_name")
        choices = [
            ("", _("Anyone")),
            ("me", _("Me")),
            ("unassigned", _("Unassigned")),
            *((pk, f"{first} {last}".strip() or name) for pk, name, first, last in people),
        ]
        return _options(choices, self._selected("assignee"))

    def impacted_service_options(self) -> SafeString:
        from serval.services.querysets import services_visible_to

        services = services_visible_to(self.user).order_by("name", "pk").values_list("pk", "name")
        choices = [("", _("Any service")), *services[:MAX_SERVICE_CHOICES]]
        return _options(choices, self._selected("impacted_service"))

    def apply(self, qs: QuerySet[WorkItem]) -> QuerySet[WorkItem]:
        """Narrow an already visibility-filtered queryset; invalid input filters nothing out."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        qs = listfilters.by_state(qs, data.get("state"), OPEN_STATES)
        if data.get("priority"):
            qs = qs.filter(priority=data["priority"])
        qs = listfilters.by_routing(qs, data, self.user)
        if data.get("service"):
            qs = qs.filter(service__icontains=data["service"])
        if data.get("impacted_service"):
            qs = qs.filter(worklinks.impacting(self.user, int(data["impacted_service"])))
        if data.get("q"):
            qs = qs.search(data["q"])  # type: ignore[attr-defined]
        agent = self.user.is_agent
        if data.get("at_risk"):
            if agent:  # the item's SLA summary, kept by serval.sla.engine: every clock
                now = timezone.now()
                qs = qs.filter(Q(sla_flagged=True) | Q(sla_next_breach_at__lte=now))
            else:
                qs = qs.filter(Exists(self._at_risk_clocks()))
        sort = data.get("sort") or "-opened"
        if sort == "breach":
            if agent:
                qs = qs.annotate(next_breach=F("sla_next_breach_at"))
            else:
                # Requesters see customer SLAs only, so their next breach is asked of the
                # clocks. A subquery rather than a Min() over a join: no GROUP BY, so the CSV
                # export's values_list() over the same queryset keeps one row per item.
                running = self._clocks().filter(stage=Stage.IN_PROGRESS).order_by("breach_at")
                qs = qs.annotate(next_breach=Subquery(running.values("breach_at")[:1]))
        return qs.order_by(*SORTS[sort])

    def _clocks(self) -> QuerySet[SlaClock]:
        """The clocks of the outer item this user may see (requesters: customer SLAs only)."""
        return visible_clocks(self.user).filter(work_item=OuterRef("pk"))

    def _at_risk_clocks(self) -> QuerySet[SlaClock]:
        """Running clocks past the 75 % warning, or breached (DOMAIN.md §2.5)."""
        return self._clocks().filter(
            Q(stage__in=ACTIVE_STAGES, has_breached=True)
            | Q(stage=Stage.IN_PROGRESS, warned_level__gte=75)
            | Q(stage=Stage.IN_PROGRESS, breach_at__lte=timezone.now())
        )

    def active_count(self) -> int:
        """How many filters differ from the default view (for the 'clear filters' hint)."""
        if not (self.is_bound and self.is_valid()):
            return 0
        data = self.cleaned_data
        return sum(
            1
            for name in (
                "q",
                "priority",
                "team",
                "assignee",
                "service",
                "impacted_service",
                "at_risk",
            )
            if data.get(name) not in (None, "", False)
        ) + (1 if data.get("state") not in ("", "open") else 0)


# --- create and edit ------------------------------------------------------------------------

TEXT_FIELDS = ("title", "description")
SIDE_FIELDS = (
    "caller",
    "impact",
    "urgency",
    "assignment_group",
    "assignee",
    "service",
    "configuration_item",
    "category",
    "channel",
)
# What a requester may set is the action's rule; the form only leaves out the channel, which
# the view sets to "portal" for them.
REQUESTER_FIELDS = tuple(
    name
    for name in (*TEXT_FIELDS, *SIDE_FIELDS)
    if name in actions.REQUESTER_CREATE_FIELDS and name != "channel"
)


class IncidentForm(FastWidgetsForm):
    """Incident fields; `fields` picks the subset a page shows (create, side panel, text)."""

    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Markdown is supported."),
    )
    impact = forms.TypedChoiceField(
        label=_("Impact"), choices=LEVELS, coerce=int, initial=3, widget=FastSelect
    )
    urgency = forms.TypedChoiceField(
        label=_("Urgency"), choices=LEVELS, coerce=int, initial=3, widget=FastSelect
    )
    caller = forms.CharField(
        label=_("Caller"),
        required=False,
        max_length=150,
        help_text=_("Username of the person affected; leave empty for yourself."),
    )
    assignment_group = forms.ChoiceField(
        label=_("Assignment group"), required=False, widget=FastSelect
    )
    assignee = forms.ChoiceField(label=_("Assignee"), required=False, widget=FastSelect)
    service = forms.CharField(label=_("Service"), required=False, max_length=200)
    configuration_item = forms.CharField(
        label=_("Configuration item"), required=False, max_length=200
    )
    category = forms.CharField(label=_("Category"), required=False, max_length=100)
    channel = forms.ChoiceField(
        label=_("Channel"), choices=Channel.choices, initial="phone", widget=FastSelect
    )
    version = forms.IntegerField(widget=forms.HiddenInput(attrs=VERSION_ATTRS), required=False)

    def __init__(
        self,
        data: Any = None,
        *,
        user: User,
        fields: tuple[str, ...] | None = None,
        item: WorkItem | None = None,
        **kwargs: Any,
    ) -> None:
        if item is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_from_item(item)
        keep = set(fields or (REQUESTER_FIELDS if not user.is_agent else self.base_fields))
        if item is not None:
            keep.add("version")
        # Only the kept fields are deep-copied (Django copies every base field per form, and
        # the incident page builds two of these, for three and for two fields; issue 6).
        self.base_fields = {n: f for n, f in self.base_fields.items() if n in keep}  # type: ignore[misc]
        super().__init__(data, **kwargs)
        self.user = user
        if "assignment_group" in self.fields:
            groups = team_choices(user, str(_("— None —")))
            self.fields["assignment_group"].choices = groups  # type: ignore[attr-defined]
            self.fields["assignment_group"].widget.attrs.update(
                {"data-assignee-source": "true", "autocomplete": "off"}
            )
        if "assignee" in self.fields:
            team_id = self.data.get(self.add_prefix("assignment_group")) if self.is_bound else None
            if team_id is None:
                team_id = self.initial.get("assignment_group")
            self.fields["assignee"].choices = member_choices(  # type: ignore[attr-defined]
                user, team_id, str(_("— Unassigned —"))
            )
            self.fields["assignee"].widget.attrs["hx-sync"] = "this:queue last"
        for name in ("impact", "urgency"):
            if name in self.fields:
                self.fields[name].widget.attrs["data-priority-source"] = "true"
        if "caller" in self.fields:
            self.fields["caller"].widget.attrs.update(
                {"list": "callers-list", "autocomplete": "off"}
            )

    def action_values(self) -> dict[str, Any]:
        """Cleaned values in the shape the actions take (ids and usernames, not objects)."""
        values = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        if "caller" in values and not values["caller"]:
            if "version" in self.fields:  # editing: an empty caller is an error for the action
                values["caller"] = ""
            else:
                values.pop("caller")
        return values


def initial_from_item(item: WorkItem) -> dict[str, Any]:
    return {
        "title": item.title,
        "description": item.description,
        "impact": item.impact,
        "urgency": item.urgency,
        "caller": item.caller.username if item.caller_id else "",
        "assignment_group": str(item.assignment_group_id or ""),
        "assignee": str(item.assignee_id or ""),
        "service": item.service,
        "configuration_item": item.configuration_item,
        "category": item.category,
        "channel": item.channel,
        "version": item.version,
    }


# --- transitions, comments, attachments -----------------------------------------------------


class TransitionForm(FastWidgetsForm):
    """The fields one transition needs, built from the state machine's `requires`."""

    to = forms.CharField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput(attrs=VERSION_ATTRS))
    comment = forms.CharField(
        label=_("Comment to the caller"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self, data: Any = None, *, user: User, item: WorkItem, requires: tuple[str, ...], **kw: Any
    ) -> None:
        super().__init__(data, **kw)
        self.requires = requires
        if "hold_reason" in requires:
            self.fields["hold_reason"] = forms.ChoiceField(
                label=_("On-hold reason"), choices=[("", "—"), *HOLD_REASONS], widget=FastSelect
            )
            self.fields["comment"].help_text = _(
                "Required when you are waiting for the caller: tell them what you need."
            )
        if "close_code" in requires:
            self.fields["close_code"] = forms.ChoiceField(
                label=_("Resolution code"), choices=[("", "—"), *CLOSE_CODES], widget=FastSelect
            )
        if "close_notes" in requires:
            self.fields["close_notes"] = forms.CharField(
                label=_("Resolution notes"),
                max_length=20000,
                widget=forms.Textarea(attrs={"rows": 4}),
            )
        if "cancel_reason" in requires:
            self.fields["cancel_reason"] = forms.CharField(
                label=_("Why is it cancelled?"),
                max_length=4000,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        if "assignment_group" in requires and user.is_agent:
            self.fields["assignment_group"] = forms.ChoiceField(
                label=_("Assignment group"),
                choices=team_choices(user, "—"),
                initial=str(item.assignment_group_id or ""),
                widget=FastSelect,
            )
            self.fields["assignment_group"].widget.attrs["data-assignee-source"] = "true"
            team_id = self.data.get("assignment_group") if self.is_bound else None
            self.fields["assignee"] = forms.ChoiceField(
                label=_("Assignee"),
                required=False,
                choices=member_choices(
                    user, team_id or item.assignment_group_id, str(_("— Unassigned —"))
                ),
                initial=str(item.assignee_id or (user.pk if user.is_agent else "")),
                widget=FastSelect,
            )
            self.fields["assignee"].widget.attrs["hx-sync"] = "this:queue last"
        self.order_fields([*[n for n in self.fields if n != "comment"], "comment"])
        self.use_fast_widgets()  # for the fields added above

    def action_fields(self) -> dict[str, Any]:
        return {
            k: v
            for k, v in self.cleaned_data.items()
            if k not in ("to", "version") and v not in (None, "")
        }


class CommentForm(FastWidgetsForm):
    body = forms.CharField(
        label=_("Comment"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3, "data-shortcut-focus": "reply"}),
    )
    internal = forms.BooleanField(label=_("Internal work note"), required=False)


class AttachmentForm(FastWidgetsForm):
    file = forms.FileField(label=_("File"))
    internal = forms.BooleanField(label=_("Internal (agents only)"), required=False)


class ParentForm(FastWidgetsForm):
    parent = forms.CharField(label=_("Parent incident"), max_length=24, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput(attrs=VERSION_ATTRS))


class MajorForm(FastWidgetsForm):
    decision = forms.ChoiceField(
        choices=[("propose", "propose"), ("accept", "accept"), ("reject", "reject")]
    )
    business_impact = forms.CharField(
        label=_("Business impact"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def caller_choices(user: User) -> SafeString:
    """The `<option>`s of the callers datalist: people an agent may log an incident for
    (suggestions, not a hard list), at most 500, drawn in one pass."""
    qs = (
        users_visible_to(user)
        .filter(is_active=True)
        .filter(Q(role=Role.REQUESTER) | Q(role__in=AGENT_ROLES))
    )
    sql = _choice_sql(connection.vendor)
    people = rawrows.rows_where(qs, sql["callers"], sql["callers_order"])
    if people is None:
        people = list(
            qs.order_by("username").values_list("username", "first_name", "last_name")[:CALLERS]
        )
    return option_tags((name, f"{first} {last}".strip() or name) for name, first, last in people)


def team_by_id(user: User, team_id: int) -> Team | None:
    return teams_visible_to(user).filter(pk=team_id).first()
