"""Bulk-loaded incidents are in the search index like any other (issue 6; DESIGN.md rule 7).

The generator drops SQLite's FTS5 triggers during the load and rebuilds the index after it (on
PostgreSQL the tsvector column is generated); either way search must agree with the table, and
the triggers must be back so later incidents are indexed too.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from serval.work.models import WorkItem
from tests.factories import make_incident, make_user

pytestmark = pytest.mark.django_db


def test_every_generated_incident_is_found_by_its_words_and_later_ones_too() -> None:
    call_command(
        "bench_data",
        "--work-items=60",
        "--users=8",
        "--teams=2",
        "--tenants=1",
        "--no-progress",
        stdout=StringIO(),
    )
    items = list(WorkItem.objects.all())
    assert len(items) == 60
    for item in items[:15]:
        words = item.description.split()
        hits = WorkItem.objects.search(f"{words[0]} {words[-1]}")
        assert hits.filter(pk=item.pk).exists()
    word = items[0].title.split()[1]
    expected = {i.pk for i in items if word in f"{i.title} {i.description}".lower().split()}
    found = set(WorkItem.objects.search(word).values_list("pk", flat=True))
    assert expected <= found
    later = make_incident(make_user("agent"), title="Zanzibarquux printer jam")
    assert list(WorkItem.objects.search("zanzibarquux")) == [later]
