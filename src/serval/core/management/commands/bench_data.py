"""`serval bench-data`: load benchmark data at scale (issue 6), with progress and its own rate."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from serval.core.benchdata import BATCH, Generator


def _count(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = _(
        "Add benchmark data: tenants, users, teams and incidents with valid hash-chained "
        "journals, written with bulk inserts. Adds to what is there (names get a random tag)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--work-items", type=_count, default=10_000, help=_("Incidents."))
        parser.add_argument("--users", type=_count, default=200, help=_("Users (¼ agents)."))
        parser.add_argument("--teams", type=_count, default=20, help=_("Teams."))
        parser.add_argument("--tenants", type=_count, default=2, help=_("Tenants."))
        parser.add_argument("--cis", type=_count, default=0, help=_("Configuration items."))
        parser.add_argument(
            "--relationships",
            type=_count,
            default=None,
            help=_("CI relationships (default: three per CI)."),
        )
        parser.add_argument("--seed", type=int, default=1, help=_("Random seed."))
        parser.add_argument("--batch", type=_count, default=BATCH, help=_("Incidents per batch."))
        parser.add_argument(
            "--password",
            default=None,
            help=_("Password for every generated user (default: none can log in)."),
        )
        parser.add_argument(
            "--no-progress", action="store_true", help=_("Do not draw a progress bar.")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        items = options["work_items"]
        cis, rels = options["cis"], options["relationships"]
        if rels is None:
            rels = 3 * cis  # the default shape: three relationships per CI
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[rate]} items/s"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
        )
        with Progress(*columns, disable=options["no_progress"], transient=False) as bar:
            task = bar.add_task(_("Incidents"), total=items, rate="-")
            cmdb_tasks = (
                {
                    "cis": bar.add_task(_("CIs"), total=cis, rate="-"),
                    "relationships": bar.add_task(_("Relationships"), total=rels, rate="-"),
                }
                if cis
                else {}
            )

            def advance_cmdb(kind: str, n: int) -> None:
                bar.advance(cmdb_tasks[kind], n)
                speed = bar.tasks[cmdb_tasks[kind]].speed
                bar.update(cmdb_tasks[kind], rate=f"{speed:,.0f}" if speed else "-")

            def advance(n: int) -> None:
                bar.advance(task, n)
                speed = bar.tasks[task].speed
                bar.update(task, rate=f"{speed:,.0f}" if speed else "-")

            try:
                gen = Generator(
                    work_items=items,
                    users=options["users"],
                    teams=options["teams"],
                    tenants=options["tenants"],
                    seed=options["seed"],
                    batch=options["batch"],
                    password=options["password"],
                    progress=advance,
                    cis=cis,
                    relationships=rels,
                    cmdb_progress=advance_cmdb,
                )
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            result = gen.run()
        for note in result.notes:
            self.stdout.write(note)
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Created %(tenants)s tenants, %(users)s users, %(teams)s teams, %(items)s "
                    "incidents (%(first)s … %(last)s) and %(events)s journal events: %(rows)s "
                    "rows in %(seconds).1f s, %(rate)s rows/s, %(irate)s incidents/s."
                )
                % {
                    "tenants": result.tenants,
                    "users": result.users,
                    "teams": result.teams,
                    "items": result.work_items,
                    "first": result.first_number or "-",
                    "last": result.last_number or "-",
                    "events": result.journal_events,
                    "rows": f"{result.rows:,}",
                    "seconds": result.seconds,
                    "rate": f"{result.rows_per_second:,.0f}",
                    "irate": f"{result.work_items / result.seconds:,.0f}" if result.seconds else 0,
                }
            )
        )
        if result.cis:
            self.stdout.write(
                _(
                    "CMDB: %(cis)s CIs, %(rels)s relationships, %(services)s services and "
                    "offerings in %(seconds).1f s."
                )
                % {
                    "cis": f"{result.cis:,}",
                    "rels": f"{result.relationships:,}",
                    "services": result.services,
                    "seconds": result.cmdb_seconds,
                }
            )
