"""`serval createadmin`: an administrator account, made through the people actions."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from serval.core.errors import ValidationFailed
from serval.core.models import Tenant
from serval.people.actions import create_user
from serval.people.models import Role


def generate_password() -> str:
    """24 URL-safe characters from the OS's random source (~143 bits); never a fixed default."""
    return secrets.token_urlsafe(18)


def find_tenant(slug: str | None) -> Tenant:
    """The tenant with this slug, or the root tenant when none is given."""
    if not slug:
        tenant = Tenant.objects.filter(parent__isnull=True).order_by("pk").first()
        if tenant is None:
            raise CommandError(_("There is no tenant yet: run `serval migrate` first."))
        return tenant
    tenant = Tenant.objects.filter(slug=slug).first()
    if tenant is None:
        known = ", ".join(Tenant.objects.values_list("slug", flat=True)[:20])
        raise CommandError(
            _("Unknown tenant %(slug)s. Known tenants: %(known)s.") % {"slug": slug, "known": known}
        )
    return tenant


class Command(BaseCommand):
    help = _(
        "Create an administrator. Without --password a strong random password is generated "
        "and printed once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", required=True, help=_("The login name."))
        parser.add_argument(
            "--password",
            help=_("The password (checked by the password rules); generated when omitted."),
        )
        parser.add_argument(
            "--tenant", help=_("Slug of the tenant the admin belongs to (default: the root).")
        )
        parser.add_argument("--email", default="", help=_("E-mail address, for password reset."))

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = find_tenant(options["tenant"])
        password = options["password"] or generate_password()
        try:
            user = create_user(
                actor=None,
                username=options["username"],
                tenant=tenant,
                role=Role.ADMIN,
                password=password,
                email=options["email"],
            )
        except ValidationFailed as exc:
            raise CommandError(
                "; ".join(f"{field}: {message}" for field, message in exc.as_dict().items())
            ) from exc
        self.stdout.write(
            self.style.SUCCESS(
                _("Created administrator %(username)s in tenant %(tenant)s.")
                % {"username": user.username, "tenant": tenant.name}
            )
        )
        if not options["password"]:
            self.stdout.write(_("Password: %(password)s") % {"password": password})
            self.stdout.write(_("It is shown only now; change it after signing in."))
