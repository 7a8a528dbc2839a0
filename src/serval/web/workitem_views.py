"""Page pieces every kind of work item shares: attachments, watching, the affected CIs &
services form and the typed links card (`serval.work.links`). The incident, change and task
pages each wrap these in a thin view, so the rules of those forms live once.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from serval.cmdb import worklinks
from serval.core.errors import NotFound, PermissionDenied, ValidationFailed
from serval.people.models import User
from serval.work import actions as work
from serval.work import links
from serval.work.models import WorkItem


class ImpactLinkForm(forms.Form):
    """Link or unlink an affected CI or service (serval.cmdb.worklinks does the rest)."""

    op = forms.ChoiceField(
        choices=[(op, op) for op in ("link_ci", "unlink_ci", "link_service", "unlink_service")]
    )
    # A suggestion ("name #id"), an id, or a name or identifier typed (worklinks.resolve_*).
    ci = forms.CharField(label=gettext_lazy("CI"), max_length=300, required=False)
    service = forms.CharField(label=gettext_lazy("Service"), max_length=300, required=False)


class WorkLinkForm(forms.Form):
    """Add a typed link to another item (by number) or remove one (by id)."""

    op = forms.ChoiceField(choices=[("link", "link"), ("unlink", "unlink")])
    type = forms.ChoiceField(
        label=gettext_lazy("Link type"),
        required=False,
        choices=[(t, t) for t in links.LINK_KINDS],
    )
    item = forms.CharField(label=gettext_lazy("Work item"), max_length=24, required=False)
    link = forms.IntegerField(min_value=1, max_value=2**63 - 1, required=False)


def attach(request: HttpRequest, item: WorkItem, back: HttpResponseRedirect) -> HttpResponse:
    """Store an uploaded file on the item (size checked before the body is read), then `back`."""
    from serval.incidents.forms import AttachmentForm

    user = _user(request)
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length > settings.ATTACHMENT_MAX_BYTES + 64 * 1024:
        limit_mb = settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)
        messages.error(request, _("Files can be at most %(mb)s MB.") % {"mb": limit_mb})
        return back
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to upload."))
        return back
    try:
        attachment = work.add_attachment(
            item=item,
            actor=user,
            upload=form.cleaned_data["file"],
            internal=bool(form.cleaned_data["internal"]) and user.is_agent,
        )
    except ValidationFailed as exc:
        for message in exc.as_dict().values():
            messages.error(request, message)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("%(name)s was attached.") % {"name": attachment.filename})
    return back


def watch(request: HttpRequest, item: WorkItem, back: HttpResponseRedirect) -> HttpResponse:
    """Start or stop watching the item (`watching=1` or not), then `back`."""
    user = _user(request)
    watching = request.POST.get("watching") == "1"
    try:
        work.set_watching(item=item, actor=user, user=user, watching=watching)
    except (ValidationFailed, PermissionDenied) as exc:
        messages.error(request, str(exc))
    else:
        text = (
            _("You are watching %(number)s.") if watching else _("You no longer watch %(number)s.")
        )
        messages.success(request, text % {"number": item.number})
    return back


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def impact_links(request: HttpRequest, item: WorkItem, back: HttpResponseRedirect) -> HttpResponse:
    """Link or unlink an affected CI or service; the impacted services are recomputed."""
    user = _user(request)
    form = ImpactLinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a CI or a service first."))
        return back
    op = form.cleaned_data["op"]
    try:
        worklinks.ensure_can_link(user, item)
        if op in ("link_ci", "unlink_ci"):
            ci = worklinks.resolve_ci(user, item, form.cleaned_data["ci"] or "")
            if op == "link_ci":
                worklinks.link_ci(actor=user, item=item, ci=ci)
                done = _("%(name)s is now linked.")
            else:
                worklinks.unlink_ci(actor=user, item=item, ci=ci)
                done = _("%(name)s is no longer linked.")
            name = ci.name
        else:
            service = worklinks.resolve_service(user, form.cleaned_data["service"] or "")
            if op == "link_service":
                worklinks.link_service(actor=user, item=item, service=service)
                done = _("%(name)s is now linked.")
            else:
                worklinks.unlink_service(actor=user, item=item, service=service)
                done = _("%(name)s is no longer linked.")
            name = service.name
    except ValidationFailed as exc:
        for message in exc.as_dict().values():
            messages.error(request, message)
    except (PermissionDenied, NotFound) as exc:
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, done % {"name": name})
    return back


def impact_options(request: HttpRequest, item: WorkItem) -> HttpResponse:
    """The link forms' suggestions (htmx, as the agent types): `what` is "ci" or "service",
    the text is the input's own parameter."""
    what = "service" if request.GET.get("what") == "service" else "ci"
    try:
        options = worklinks.suggestions(_user(request), item, what, request.GET.get(what, ""))
    except PermissionDenied as exc:
        raise Http404(str(exc.detail)) from exc
    return render(request, "cmdb/_ci_options.html", {"ci_options": options})


def links_card(item: WorkItem, user: User, *, action: str) -> dict[str, Any]:
    """The "Links" card: the links this person may see, and (agents) the add form's choices."""
    return {
        "links": links.links_of(item, user),
        "can_edit": user.is_agent and (item.active or user.is_admin),
        "types": links.types_for(item.kind),
        "action": action,
    }


def links_post(request: HttpRequest, item: WorkItem, back: HttpResponseRedirect) -> HttpResponse:
    """Add or remove a typed link; errors come back as messages on the item's page."""
    user = _user(request)
    form = WorkLinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a link type and enter a work item number."))
        return back
    try:
        if form.cleaned_data["op"] == "link":
            other = links.find_other(user, form.cleaned_data["item"])
            links.link_items(
                actor=user, item=item, other=other, link_type=form.cleaned_data["type"] or ""
            )
            messages.success(request, _("%(number)s is now linked.") % {"number": other.number})
        else:
            links.unlink_items(actor=user, item=item, link_id=form.cleaned_data["link"] or 0)
            messages.success(request, _("The link was removed."))
    except ValidationFailed as exc:
        for message in exc.as_dict().values():
            messages.error(request, message)
    except (PermissionDenied, NotFound) as exc:
        messages.error(request, str(exc.detail))
    return back
