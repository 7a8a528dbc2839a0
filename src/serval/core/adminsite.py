"""The Django admin, as an operator's inspection and reference-data tool for the admin role.

Only users with the *admin* role get in (not every `is_staff` account), sign-in goes through
Serval's own login page (so login throttling applies), and each model admin limits what it lists
to the tenants the admin works in (SECURITY-REFERENCE A: out-of-reach records do not exist).
This module is imported while settings load, so it must not import models at module level.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _


class ServalAdminSite(admin.AdminSite):
    site_header = _("Serval administration")
    site_title = _("Serval administration")
    index_title = _("Reference data and records")

    def has_permission(self, request: HttpRequest) -> bool:
        """The admin role decides, not `is_staff`, so demoting an admin closes the door."""
        user = request.user
        return bool(user.is_active and user.is_authenticated and getattr(user, "is_admin", False))

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        """Send people to Serval's login page, which throttles guessing; fall back if absent."""
        from django.contrib.auth.views import redirect_to_login
        from django.urls import NoReverseMatch, reverse

        try:
            login_url = reverse("login")
        except NoReverseMatch:
            return super().login(request, extra_context)
        if request.user.is_authenticated and not self.has_permission(request):
            return HttpResponse(status=404)
        return redirect_to_login(request.GET.get("next") or reverse("admin:index"), login_url)


class ServalAdminConfig(AdminConfig):
    default_site = "serval.core.adminsite.ServalAdminSite"
