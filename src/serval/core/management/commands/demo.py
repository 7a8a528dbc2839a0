"""`serval demo`: load demo data and print the admin login created for this install."""

from __future__ import annotations

import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from serval.core.management.demo_data import ADMIN_USERNAME, DemoBuilder, database_is_empty


class Command(BaseCommand):
    help = _(
        "Load realistic demo data (two tenants, teams, people, about 40 incidents and a small "
        "estate of services, CIs and assets) into an empty database, create the administrator "
        "'admin' with a random password, and print "
        "the login. Refuses to touch a database that already has data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help=_("Do nothing (successfully) when the database already has data."),
        )
        parser.add_argument(
            "--no-progress", action="store_true", help=_("Do not draw a progress bar.")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not database_is_empty():
            if options["if_empty"]:
                self.stdout.write(
                    _(
                        "The database already has data; demo data not loaded. To add an "
                        "administrator: serval createadmin --username <name>"
                    )
                )
                return
            raise CommandError(
                _(
                    "The database already has data; demo data is only loaded into an empty "
                    "database (use --if-empty to skip quietly)."
                )
            )
        builder = DemoBuilder()
        self._build(builder, progress=not options["no_progress"] and options["verbosity"] > 0)
        result = builder.result()
        counts = result.counts
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Demo data loaded: %(tenants)s tenants, %(organizations)s organizations, "
                    "%(users)s people, %(teams)s teams, %(incidents)s incidents, "
                    "%(changes)s changes, %(services)s services, %(cis)s configuration items, "
                    "%(assets)s assets."
                )
                % counts
            )
        )
        self.stdout.write("")
        self.stdout.write(_("Sign in at %(url)s/ as") % {"url": settings.BASE_URL})
        self.stdout.write(_("  username: %(username)s") % {"username": ADMIN_USERNAME})
        self.stdout.write(_("  password: %(password)s") % {"password": result.admin_password})
        self.stdout.write(
            _("Demo people (%(names)s) share the password %(password)s.")
            % {"names": ", ".join(result.usernames), "password": result.people_password}
        )
        self.stdout.write(_("These passwords were generated for this install and are shown once."))

    def _build(self, builder: DemoBuilder, *, progress: bool) -> None:
        steps = builder.steps()
        if not progress:
            for _label in builder.run():
                pass
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        console = Console(file=sys.stderr)
        columns = (
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
        )
        with Progress(*columns, console=console, transient=True) as bar:
            task = bar.add_task(_("Loading demo data"), total=len(steps))
            for label in builder.run():
                bar.update(task, advance=1, description=_("Loading demo data: %s") % label)
