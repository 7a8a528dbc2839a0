"""`serval verify-journal` (SECURITY-REFERENCE I1, DOMAIN.md journal): OK, or exit 1 per break."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from serval.core import journal
from serval.core.models import JournalEvent
from tests import factories as f


def test_an_intact_journal_is_ok_with_its_count(world):
    f.make_incident(world.agent)
    stdout = io.StringIO()
    call_command("verify_journal", stdout=stdout)
    out = stdout.getvalue()
    assert out.startswith("OK") and f"{JournalEvent.objects.count()} events" in out


def test_a_tampered_event_is_reported_and_exits_with_status_1(world):
    item = f.make_incident(world.agent)
    journal.set_guards(False)
    try:
        JournalEvent.objects.filter(subject_type="work_item", subject_id=item.pk).update(
            data={"forged": True}
        )
    finally:
        journal.set_guards(True)
    stderr = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("verify_journal", stdout=io.StringIO(), stderr=stderr)
    assert error.value.returncode == 1
    err = stderr.getvalue()
    assert f"work_item:{item.pk}" in err and "altered" in err
