"""Sign-in, sign-out and password reset, on Django's views with Serval's rules added.

SECURITY-REFERENCE H4/E2/E3: failed logins are throttled per username and per address; the
message never says whether the username exists; Django rotates the session key on login;
`next=` is only followed to this site (Django's `url_has_allowed_host_and_scheme`); logout is
POST-only; the reset form answers the same for known and unknown addresses.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.http import HttpRequest
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from serval.people.actions import clear_login_failures, login_blocked, record_login_failure


def client_address(request: HttpRequest | None) -> str:
    """The peer address; behind a proxy Django's REMOTE_ADDR is what the operator configured."""
    return (request.META.get("REMOTE_ADDR") if request else "") or "unknown"


class ThrottledAuthenticationForm(AuthenticationForm):
    """Refuses to even try a password while the username or address is over its limit."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("That username and password do not match an active account."),
        "throttled": _(
            "Too many failed sign-in attempts. Wait a few minutes before you try again."
        ),
    }

    def __init__(self, request: HttpRequest | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autofocus": True})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})

    def clean(self) -> dict[str, Any]:
        username = (self.cleaned_data.get("username") or "").strip()
        address = client_address(self.request)
        if username and login_blocked(username=username, address=address):
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if username:
                record_login_failure(username=username, address=address)
            raise
        clear_login_failures(username=username)
        return cleaned


class LoginView(auth_views.LoginView):
    form_class = ThrottledAuthenticationForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True
    # Django's get_redirect_url already follows `next` only through
    # url_has_allowed_host_and_scheme (this host; https-only when the request is https).


class LogoutView(auth_views.LogoutView):
    """POST only (Django refuses GET since 5.0), so a link or image cannot sign anyone out."""

    http_method_names = ["post", "options"]


class ThrottledPasswordResetForm(PasswordResetForm):
    """Sends nothing once an address or client has asked too often; the page looks the same."""

    def __init__(self, *args: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.fields["email"].widget.attrs.update({"autocomplete": "email", "autofocus": True})

    def save(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        email = self.cleaned_data["email"]
        key = f"reset:{email}"[:150]
        address = client_address(self.request)
        if login_blocked(username=key, address=address):
            return
        record_login_failure(username=key, address=address)
        super().save(*args, **kwargs)


class PasswordResetView(auth_views.PasswordResetView):
    form_class = ThrottledPasswordResetForm
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["request"] = self.request
        return kwargs
