"""`serval bench-data` writes incidents the way the actions would (issue 6; DOMAIN.md §2.1).

Bulk inserts skip the actions for speed, so this checks what the actions would guarantee: hash
chains that `verify-journal` accepts (SECURITY-REFERENCE I), unique numbers from the INC counter,
and one IncidentDetail per incident.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from serval.core import journal
from serval.core.models import JournalEvent, Sequence
from serval.incidents.models import IncidentDetail
from serval.work.models import WorkItem
from tests.factories import make_incident, make_team, make_user

pytestmark = pytest.mark.django_db


def test_generated_journals_verify_and_numbers_come_from_the_counter() -> None:
    before = Sequence.objects.filter(name="INC").values_list("value", flat=True).first() or 1000
    out = StringIO()
    call_command(
        "bench_data",
        "--work-items=120",
        "--users=12",
        "--teams=3",
        "--tenants=2",
        "--batch=50",
        "--no-progress",
        stdout=out,
    )
    items = WorkItem.objects.all()
    assert items.count() == 120
    assert IncidentDetail.objects.filter(work_item__in=items).count() == 120
    numbers = set(items.values_list("number", flat=True))
    assert numbers == {f"INC-{before + k}" for k in range(1, 121)}
    assert Sequence.objects.get(name="INC").value == before + 120
    assert list(journal.verify()) == []
    events = JournalEvent.objects.filter(subject_type="work_item")
    assert events.filter(verb="created").count() == 120
    assert set(events.values_list("verb", flat=True)) >= {"created", "transition"}
    assert "rows/s" in out.getvalue()
    call_command("verify_journal", stdout=StringIO())  # exits non-zero on a break


def test_an_incident_made_later_by_the_action_continues_the_numbers() -> None:
    call_command(
        "bench_data",
        "--work-items=5",
        "--users=4",
        "--teams=1",
        "--tenants=1",
        "--no-progress",
        stdout=StringIO(),
    )
    last = max(int(n.split("-")[1]) for n in WorkItem.objects.values_list("number", flat=True))
    agent = make_user("agent")
    item = make_incident(agent, assignment_group=make_team(members=[agent]).pk)
    assert item.number == f"INC-{last + 1}"
    assert list(journal.verify("work_item", item.pk)) == []
