"""A person's own account pages: profile, API tokens and password change."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from serval.core.errors import NotFound, PermissionDenied, ValidationFailed
from serval.people import actions
from serval.people.forms import PasswordChangeForm, TokenForm
from serval.people.models import ApiToken, User


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _profile(
    request: HttpRequest,
    *,
    token_form: TokenForm | None = None,
    plaintext: str = "",
    new_token: ApiToken | None = None,
) -> HttpResponse:
    user = _user(request)
    context = {
        "profile_user": user,
        "teams": user.teams.all(),
        "tokens": ApiToken.objects.filter(user=user),
        "token_form": token_form or TokenForm(),
        "plaintext": plaintext,
        "new_token": new_token,
    }
    return render(request, "people/profile.html", context)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    return _profile(request)


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    """Create a token and show its secret on this response only; it is never shown again."""
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _profile(request, token_form=form)
    try:
        token, plaintext = actions.create_token(
            actor=_user(request),
            user=_user(request),
            name=form.cleaned_data["name"],
            days=form.cleaned_data["days"],
        )
    except ValidationFailed as exc:
        for field, message in exc.as_dict().items():
            form.add_error(field if field in form.fields else None, message)
        return _profile(request, token_form=form)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect("profile")
    return _profile(request, plaintext=plaintext, new_token=token)


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    user = _user(request)
    token = ApiToken.objects.select_related("user").filter(pk=token_id, user=user).first()
    if token is None:
        raise Http404()
    try:
        actions.revoke_token(actor=user, token=token)
    except NotFound as exc:
        raise Http404() from exc
    messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("profile")


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    """Change one's password; needs the current one, keeps this session, ends the others."""
    user = _user(request)
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.change_password(
                actor=user,
                current=form.cleaned_data["old_password"],
                new=form.cleaned_data["new_password1"],
            )
        except ValidationFailed as exc:
            for field, message in exc.as_dict().items():
                form.add_error(field if field in form.fields else None, message)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, _("Your password was changed."))
            return redirect("profile")
    return render(request, "people/password_change.html", {"form": form})
