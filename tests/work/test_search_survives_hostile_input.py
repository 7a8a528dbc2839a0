"""SECURITY-REFERENCE C1: user text never reaches the FTS5 or tsquery syntax. Quotes, `*`,
`NEAR(`, `-`, boolean words, unicode and very long strings are searched as words or match
nothing — never a database error — on both engines."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from serval.work.models import WorkItem
from tests import factories as f

HOSTILE = [
    '"',
    '""',
    "'",
    "*",
    "**",
    "a*b",
    "NEAR(",
    "NEAR(a b",
    "-",
    "-printer",
    "--",
    "AND",
    "OR NOT",
    "printer OR",
    "title:printer",
    "^printer",
    "(((",
    ")",
    "!",
    "&|!:*",
    "a:*",
    "\\",
    "%",
    "_",
    "_ _",
    "²³",
    "ǅ",
    "٣",
    "Ⅻ",
    "ﬁ",
    "Drucker-Störung",
    "プリンター",
    "🖨️ printer",
    "\x00",
    "INC-",
    "INC-1 OR 1=1",
    "x" * 5000,
    " ".join(["w"] * 500),
]


@pytest.fixture
def items(world):
    mine = f.make_incident(world.agent, title="Printer on fire", description="Drucker-Störung")
    theirs = f.make_incident(world.outsider_agent, title="Printer on fire")
    return mine, theirs


@pytest.mark.parametrize("text", HOSTILE)
def test_a_hostile_string_is_just_words(world, items, text):
    mine, theirs = items
    found = list(WorkItem.objects.visible_to(world.agent).search(text).values_list("pk", flat=True))
    assert theirs.pk not in found


@settings(
    max_examples=80,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(text=st.text(max_size=300))
@example(text='" OR 1=1 --')
@example(text="printer NEAR(fire)")
def test_any_text_searches_without_error_and_stays_in_the_tenant(world, items, text):
    mine, theirs = items
    found = set(WorkItem.objects.visible_to(world.agent).search(text).values_list("pk", flat=True))
    assert theirs.pk not in found
    assert found <= {mine.pk}
