"""DOMAIN.md §2.1: priority = f(impact, urgency) from an admin-editable lookup table.

The seeded matrix must be exactly DOMAIN.md's table, priority must never get better when impact or
urgency gets worse (monotone), and an incident's priority always comes from the matrix.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from serval.core import refcache
from serval.incidents import actions as incidents
from serval.incidents.models import DEFAULT_MATRIX, PriorityRule
from tests import factories as f

# DOMAIN.md §2.1, copied by hand from the table (rows: impact 1-3, columns: urgency 1-3).
DOMAIN_TABLE = {
    1: {1: 1, 2: 2, 3: 3},
    2: {1: 2, 2: 3, 3: 4},
    3: {1: 3, 2: 4, 3: 5},
}
LEVEL = st.integers(min_value=1, max_value=3)
BOUNDED = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@pytest.mark.django_db
@pytest.mark.parametrize("impact", [1, 2, 3])
@pytest.mark.parametrize("urgency", [1, 2, 3])
def test_every_cell_of_the_seeded_matrix_matches_domain_md(impact, urgency):
    expected = DOMAIN_TABLE[impact][urgency]
    assert incidents.priority_for(impact, urgency) == expected
    assert DEFAULT_MATRIX[(impact, urgency)] == expected
    rule = PriorityRule.objects.get(impact=impact, urgency=urgency)
    assert rule.priority == expected


@pytest.mark.django_db
@BOUNDED
@given(i1=LEVEL, u1=LEVEL, i2=LEVEL, u2=LEVEL)
def test_priority_is_monotone_in_impact_and_urgency(i1, u1, i2, u2):
    """Worse (higher-numbered) impact and urgency never give a more urgent priority."""
    if i1 <= i2 and u1 <= u2:
        assert incidents.priority_for(i1, u1) <= incidents.priority_for(i2, u2)


@BOUNDED
@given(impact=LEVEL, urgency=LEVEL)
def test_a_new_incident_takes_its_priority_from_the_matrix(world, impact, urgency):
    inc = f.make_incident(world.agent, impact=impact, urgency=urgency)
    assert inc.priority == DOMAIN_TABLE[impact][urgency]


def test_an_edited_cell_is_used_and_a_missing_cell_falls_back_to_the_seed(world):
    f.make_incident(world.agent, impact=3, urgency=3)  # the matrix is now cached
    incidents.set_priority_rule(actor=world.admin, impact=3, urgency=3, priority=4)
    assert f.make_incident(world.agent, impact=3, urgency=3).priority == 4
    # Rows changed behind the actions' back must be announced (serval.core.refcache).
    PriorityRule.objects.filter(impact=2, urgency=2).delete()
    refcache.changed()
    assert f.make_incident(world.agent, impact=2, urgency=2).priority == 3


def test_changing_impact_recomputes_priority(world):
    inc = f.make_incident(world.agent, impact=3, urgency=1)
    assert inc.priority == 3
    inc = incidents.update_incident(actor=world.agent, item=inc, impact=1)
    assert inc.priority == 1
