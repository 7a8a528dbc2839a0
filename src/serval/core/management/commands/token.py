"""`serval token create | revoke | list`: API tokens from the command line.

`create` prints only the token on standard output, so `TOKEN=$(serval token create alice)`
works in scripts; everything else goes to standard error.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from serval.core.errors import ValidationFailed
from serval.people.actions import create_token, revoke_token
from serval.people.models import ApiToken, User


def _user(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(_("Unknown user %(username)s.") % {"username": username})
    return user


class Command(BaseCommand):
    help = _("Create, revoke and list API tokens (used as `Authorization: Bearer <token>`).")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{create,revoke,list}")
        create = sub.add_parser(
            "create",
            help=_("Create a token for USER and print only the token."),
            description=_(
                "Create a token for USER. Only the token is printed on standard output; it is "
                "stored hashed and cannot be shown again."
            ),
        )
        create.add_argument("user", metavar="USER", help=_("The username."))
        create.add_argument("--name", default="CLI token", help=_("A label for the token."))
        create.add_argument(
            "--days",
            type=int,
            default=None,
            help=_(
                "Days until it expires; 0 never expires (default: SERVAL_API_TOKEN_DEFAULT_DAYS)."
            ),
        )
        revoke = sub.add_parser("revoke", help=_("Revoke the token with this prefix."))
        revoke.add_argument(
            "prefix", metavar="PREFIX", help=_("The prefix shown by `serval token list`.")
        )
        listing = sub.add_parser("list", help=_("List USER's tokens (never their secrets)."))
        listing.add_argument("user", metavar="USER", help=_("The username."))

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _create(self, options: dict[str, Any]) -> None:
        user = _user(options["user"])
        try:
            _token, secret = create_token(
                actor=None, user=user, name=options["name"], days=options["days"]
            )
        except ValidationFailed as exc:
            raise CommandError(
                "; ".join(f"{field}: {message}" for field, message in exc.as_dict().items())
            ) from exc
        self.stdout.write(secret)

    def _revoke(self, options: dict[str, Any]) -> None:
        prefix = options["prefix"].removeprefix("srv_").split("_", 1)[0]
        token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
        if token is None:
            raise CommandError(_("No token with prefix %(prefix)s.") % {"prefix": prefix})
        revoke_token(actor=None, token=token)
        self.stdout.write(
            _("Revoked token %(prefix)s of %(username)s.")
            % {"prefix": prefix, "username": token.user.username}
        )

    def _list(self, options: dict[str, Any]) -> None:
        from rich.console import Console
        from rich.table import Table

        user = _user(options["user"])
        tokens = list(user.api_tokens.all())
        if not tokens:
            self.stdout.write(_("%(username)s has no tokens.") % {"username": user.username})
            return
        table = Table(title=_("API tokens of %(username)s") % {"username": user.username})
        for column in (
            _("Prefix"),
            _("Name"),
            _("Created"),
            _("Expires"),
            _("Last used"),
            _("Status"),
        ):
            table.add_column(column)
        now = timezone.now()

        def when(value: Any) -> str:
            return value.strftime("%Y-%m-%d %H:%M") if value else "—"

        for token in tokens:
            if token.revoked_at:
                status = _("revoked")
            elif token.expires_at and token.expires_at <= now:
                status = _("expired")
            else:
                status = _("active")
            table.add_row(
                token.prefix,
                token.name,
                when(token.created_at),
                when(token.expires_at) if token.expires_at else _("never"),
                when(token.last_used_at),
                status,
            )
        console = Console(width=120)
        with console.capture() as captured:
            console.print(table)
        self.stdout.write(captured.get(), ending="")
