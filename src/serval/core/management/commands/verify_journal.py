"""`serval verify-journal`: walk every hash chain of the journal and report breaks."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from serval.core import journal
from serval.core.models import JournalEvent


class Command(BaseCommand):
    help = _(
        "Check that no journal event was altered or removed (SECURITY-REFERENCE I). Prints OK "
        "and the number of events checked, or each broken chain; exits with status 1 on breaks."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--subject-type", help=_("Only chains of this subject type, e.g. work_item.")
        )
        parser.add_argument(
            "--subject-id", type=int, help=_("Only the chain of this subject id (with the type).")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        subject_type, subject_id = options["subject_type"], options["subject_id"]
        breaks = list(journal.verify(subject_type, subject_id))
        events = JournalEvent.objects.all()
        if subject_type:
            events = events.filter(subject_type=subject_type)
        if subject_id is not None:
            events = events.filter(subject_id=subject_id)
        total = events.count()
        chains = events.values("subject_type", "subject_id").distinct().count()
        for chain_break in breaks:
            self.stderr.write(
                _("BROKEN %(subject)s at event %(seq)s: %(reason)s")
                % {
                    "subject": chain_break.subject,
                    "seq": chain_break.seq,
                    "reason": chain_break.reason,
                }
            )
        if breaks:
            raise CommandError(
                _("%(broken)s of %(chains)s chains are broken.")
                % {"broken": len(breaks), "chains": chains},
                returncode=1,
            )
        self.stdout.write(
            self.style.SUCCESS(
                _("OK: %(events)s events in %(chains)s chains verified.")
                % {"events": total, "chains": chains}
            )
        )
