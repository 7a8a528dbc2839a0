"""Pages of the maintenance and blackout windows (DOMAIN.md §2.3 "Schedule").

Agents read the list and each window (its scope, next occurrences, the changes in conflict
with it); change managers create, edit, switch off and delete them. Everyone else gets a 404.
Writes go through `serval.changes.windows`; a refused write re-renders the form with the
action's field errors and saves nothing.
"""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from serval.changes import windows as W
from serval.changes.models import ChangeConflict, ChangeWindow, WindowKind
from serval.core.errors import NotFound, PermissionDenied, StaleVersion, ValidationFailed
from serval.people.models import User

PER_PAGE = 50
PRESETS = {
    "": gettext_lazy("Does not repeat"),
    "FREQ=DAILY": gettext_lazy("Every day"),
    "FREQ=WEEKLY": gettext_lazy("Every week on the start's weekday"),
    "FREQ=MONTHLY": gettext_lazy("Every month on the start's day"),
    "FREQ=YEARLY": gettext_lazy("Every year on the start's date"),
    "custom": gettext_lazy("Custom rule (RRULE)"),
}


@cache
def _zones() -> list[tuple[str, str]]:
    return [(z, z) for z in sorted(zoneinfo.available_timezones()) if "/" in z or z == "UTC"]


def _user(request: HttpRequest) -> User:
    user: Any = request.user
    if not user.is_agent:
        raise Http404()
    return user  # type: ignore[no-any-return]


def _window(user: User, pk: int) -> ChangeWindow:
    try:
        return W.access_window(user, pk)
    except NotFound as exc:
        raise Http404() from exc


def scope_summary(window: ChangeWindow) -> list[str]:
    """Where the window applies, in words (scopes must be prefetched)."""
    if window.is_global:
        parts = [_("Everywhere")]
    else:
        parts = []
    for label, rows in (
        (_("Services"), window.services.all()),
        (_("CI classes"), window.ci_classes.all()),
        (_("CIs"), window.cis.all()),
        (_("Teams"), window.teams.all()),
    ):
        names = sorted(str(r) for r in rows)
        if names:
            shown = ", ".join(names[:5]) + (" …" if len(names) > 5 else "")
            parts.append(f"{label}: {shown}")
    return parts


def recurrence_text(window: ChangeWindow) -> str:
    rule = window.rrule
    if not rule:
        return str(PRESETS[""])
    base = rule.split(";UNTIL=")[0].split(";COUNT=")[0]
    text = str(PRESETS.get(base, rule))
    if ";COUNT=" in rule:
        text += " · " + _("%s times") % rule.split(";COUNT=")[1].split(";")[0]
    if ";UNTIL=" in rule:
        until = datetime.strptime(rule.split(";UNTIL=")[1][:16], "%Y%m%dT%H%M%SZ")
        text += " · " + _("until %s") % until.date().isoformat()
    return text


def next_occurrence(window: ChangeWindow) -> W.Occurrence | None:
    now = timezone.now()
    found = W.occurrences(window, now, now + timedelta(days=W.MAX_SPAN_DAYS), limit=1)
    return found[0] if found else None


# --- the form ----------------------------------------------------------------------------------


class WindowForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=WindowKind.choices)
    description = forms.CharField(
        label=gettext_lazy("Description"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    time_zone = forms.ChoiceField(
        label=gettext_lazy("Time zone"),
        help_text=gettext_lazy("Start and end are wall times in this zone; so is every repeat."),
    )
    starts_at = forms.DateTimeField(
        label=gettext_lazy("Starts"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    ends_at = forms.DateTimeField(
        label=gettext_lazy("Ends"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=gettext_lazy("Of the first occurrence; each repeat lasts as long."),
    )
    repeat = forms.ChoiceField(
        label=gettext_lazy("Repeats"), choices=list(PRESETS.items()), required=False
    )
    until = forms.DateField(
        label=gettext_lazy("Repeats until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("Optional; at most 10 years ahead (also the limit without it)."),
    )
    rrule = forms.CharField(
        label=gettext_lazy("Custom rule"),
        required=False,
        max_length=400,
        help_text=gettext_lazy(
            "RFC 5545, e.g. FREQ=MONTHLY;BYDAY=1SU (first Sunday) or "
            "FREQ=WEEKLY;BYDAY=SA,SU;COUNT=20; the start must be its first occurrence."
        ),
    )
    is_global = forms.BooleanField(label=gettext_lazy("Applies everywhere"), required=False)
    services: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Services"), queryset=None, required=False
    )
    ci_classes: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        label=gettext_lazy("CI classes"),
        queryset=None,
        required=False,
        help_text=gettext_lazy("A class covers its subclasses."),
    )
    cis = forms.CharField(
        label=gettext_lazy("CIs"),
        required=False,
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("CI names, separated by commas or new lines."),
    )
    teams: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Teams"),
        queryset=None,
        required=False,
        help_text=gettext_lazy("Applies to the changes assigned to these teams."),
    )
    exempt_emergency = forms.BooleanField(
        label=gettext_lazy("Emergency changes are exempt"), required=False, initial=True
    )
    active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, user: User, window: ChangeWindow | None, **kwargs: Any):
        from serval.cmdb.querysets import classes_visible_to
        from serval.people.querysets import teams_visible_to
        from serval.services.querysets import services_visible_to

        if window is not None and not args:
            kwargs["initial"] = self.initial_for(window)
        super().__init__(*args, **kwargs)
        self.user = user
        fields: Any = self.fields
        fields["time_zone"].choices = _zones()
        fields["time_zone"].initial = user.time_zone or "UTC"
        fields["services"].queryset = services_visible_to(user).order_by("name")
        fields["ci_classes"].queryset = classes_visible_to(user).order_by("label")
        fields["teams"].queryset = teams_visible_to(user).order_by("name")
        for name in ("services", "ci_classes", "teams"):
            fields[name].widget.attrs["size"] = 5

    @staticmethod
    def initial_for(window: ChangeWindow) -> dict[str, Any]:
        tz = W.zone(window.time_zone)
        base, until = window.rrule, None
        if ";UNTIL=" in base:
            head, tail = base.split(";UNTIL=", 1)
            if ";" not in tail:
                base = head
                until = datetime.strptime(tail, "%Y%m%dT%H%M%SZ").replace(tzinfo=tz).date()
        preset = base if base in PRESETS else "custom"
        return {
            "name": window.name,
            "kind": window.kind,
            "description": window.description,
            "time_zone": window.time_zone,
            "starts_at": window.starts_at.astimezone(tz).replace(tzinfo=None),
            "ends_at": window.ends_at.astimezone(tz).replace(tzinfo=None),
            "repeat": preset,
            "until": until if preset != "custom" else None,
            "rrule": window.rrule if preset == "custom" else "",
            "is_global": window.is_global,
            "services": list(window.services.all()),
            "ci_classes": list(window.ci_classes.all()),
            "cis": ", ".join(sorted(c.name for c in window.cis.all())),
            "teams": list(window.teams.all()),
            "exempt_emergency": window.exempt_emergency,
            "active": window.active,
            "version": window.version,
        }

    def clean_cis(self) -> list[int]:
        from serval.cmdb.querysets import cis_visible_to

        text = self.cleaned_data.get("cis") or ""
        names = sorted({n.strip() for n in text.replace("\n", ",").split(",") if n.strip()})
        if len(names) > W.MAX_SCOPE:
            raise forms.ValidationError(_("At most %d CIs.") % W.MAX_SCOPE)
        if not names:
            return []
        rows = list(
            cis_visible_to(self.user)
            .filter(tenant_id=self.user.tenant_id, name__in=names)
            .values_list("pk", "name")
        )
        found: dict[str, list[int]] = {}
        for pk, name in rows:
            found.setdefault(name, []).append(pk)
        missing = [n for n in names if n not in found]
        if missing:
            raise forms.ValidationError(_("Unknown CI: %s.") % ", ".join(missing[:5]))
        twice = [n for n, pks in found.items() if len(pks) > 1]
        if twice:
            raise forms.ValidationError(
                _("Several CIs are called %s; name them in the API by id.") % ", ".join(twice[:5])
            )
        return sorted(pks[0] for pks in found.values())

    def action_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        zone_name = data["time_zone"]
        repeat = data.get("repeat") or ""
        if repeat == "custom":
            rule = data.get("rrule") or ""
        else:
            rule = repeat
            if rule and data.get("until"):
                until: date = data["until"]
                rule += f";UNTIL={until:%Y%m%d}"
        return {
            "name": data["name"],
            "kind": data["kind"],
            "description": data.get("description") or "",
            "time_zone": zone_name,
            "starts_at": W.local_input(data["starts_at"], zone_name),
            "ends_at": W.local_input(data["ends_at"], zone_name),
            "rrule": rule,
            "is_global": bool(data.get("is_global")),
            "services": [s.pk for s in data.get("services") or []],
            "ci_classes": [c.pk for c in data.get("ci_classes") or []],
            "cis": data.get("cis") or [],
            "teams": [t.pk for t in data.get("teams") or []],
            "exempt_emergency": bool(data.get("exempt_emergency")),
            "active": bool(data.get("active")),
        }


def _errors_onto(form: forms.Form, exc: ValidationFailed) -> None:
    for name, message in exc.as_dict().items():
        target = name
        if name == "rrule":
            target = "rrule" if form.cleaned_data.get("repeat") == "custom" else "repeat"
        form.add_error(target if target in form.fields else None, str(message))


# --- pages ---------------------------------------------------------------------------------------


@login_required
@require_GET
def window_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    qs = W.windows_visible_to(user).prefetch_related(*W.SCOPES).order_by("-active", "starts_at")
    kind = request.GET.get("kind") or ""
    if kind in WindowKind.values:
        qs = qs.filter(kind=kind)
    else:
        kind = ""
    pages = Paginator(qs, PER_PAGE)
    page = pages.get_page(request.GET.get("page"))
    rows = [
        {
            "window": w,
            "scope": scope_summary(w),
            "repeat": recurrence_text(w),
            "next": next_occurrence(w) if w.active else None,
            "blackout": w.kind == WindowKind.BLACKOUT,
        }
        for w in page.object_list
    ]
    return render(
        request,
        "changes/window_list.html",
        {
            "rows": rows,
            "page": page,
            "kind": kind,
            "kinds": WindowKind.choices,
            "can_manage": W.can_manage(user, user.tenant_id),
            "section": "windows",
        },
    )


@login_required
@require_GET
def window_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from serval.changes.views.schedule import change_url
    from serval.work.models import WorkItem

    user = _user(request)
    window = _window(user, pk)
    window = ChangeWindow.objects.prefetch_related(*W.SCOPES).get(pk=window.pk)
    now = timezone.now()
    upcoming = W.occurrences(window, now, now + timedelta(days=W.MAX_SPAN_DAYS), limit=10)
    change_ids = ChangeConflict.objects.filter(window_id=window.pk).values("change_id")
    changes = [
        {"item": c, "url": change_url(c.number)}
        for c in WorkItem.objects.visible_to(user).filter(pk__in=change_ids).order_by("number")[:50]
    ]
    return render(
        request,
        "changes/window_detail.html",
        {
            "window": window,
            "scope": scope_summary(window),
            "repeat": recurrence_text(window),
            "upcoming": upcoming,
            "changes": changes,
            "blackout": window.kind == WindowKind.BLACKOUT,
            "can_manage": W.can_manage(user, window.tenant_id),
            "section": "windows",
        },
    )


@login_required
def window_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create (pk None) or change a window; errors re-render the form and save nothing."""
    user = _user(request)
    window = _window(user, pk) if pk is not None else None
    if not W.can_manage(user, window.tenant_id if window else user.tenant_id):
        raise Http404()
    form = WindowForm(request.POST or None, user=user, window=window)
    if request.method == "POST" and form.is_valid():
        try:
            if window is None:
                window = W.create_window(actor=user, **form.action_values())
                messages.success(request, _("The window “%s” was created.") % window.name)
            else:
                window = W.update_window(
                    actor=user,
                    window=window,
                    expected_version=form.cleaned_data.get("version"),
                    **form.action_values(),
                )
                messages.success(request, _("The window “%s” was saved.") % window.name)
            return redirect("changes-window-detail", window.pk)
        except ValidationFailed as exc:
            _errors_onto(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        except StaleVersion:
            form.add_error(
                None, _("Someone else saved this window meanwhile; reload it and try again.")
            )
    return render(
        request,
        "changes/window_form.html",
        {"form": form, "window": window, "section": "windows"},
    )


@login_required
@require_POST
def window_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    window = _window(user, pk)
    try:
        window = W.activate_window(actor=user, window=window, active=not window.active)
    except PermissionDenied as exc:
        raise Http404() from exc
    text = _("The window “%s” is active.") if window.active else _("The window “%s” is off.")
    messages.success(request, text % window.name)
    return redirect("changes-window-detail", window.pk)


@login_required
@require_POST
def window_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    window = _window(user, pk)
    try:
        W.delete_window(actor=user, window=window)
    except PermissionDenied as exc:
        raise Http404() from exc
    messages.success(request, _("The window “%s” was deleted.") % window.name)
    return redirect("changes-windows")


urlpatterns: list[URLPattern] = [
    path("changes/windows/", window_list, name="changes-windows"),
    path("changes/windows/new", window_edit, name="changes-window-create"),
    path("changes/windows/<int:pk>/", window_detail, name="changes-window-detail"),
    path("changes/windows/<int:pk>/edit", window_edit, name="changes-window-edit"),
    path("changes/windows/<int:pk>/toggle", window_toggle, name="changes-window-toggle"),
    path("changes/windows/<int:pk>/delete", window_delete, name="changes-window-delete"),
]
