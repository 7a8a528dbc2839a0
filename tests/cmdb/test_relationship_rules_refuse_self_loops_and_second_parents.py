"""DOMAIN.md §2.7 relationship rules: no self-loops; contains has one parent; one tenant."""

from __future__ import annotations

import pytest

from serval.cmdb import actions
from serval.core.errors import PermissionDenied, ValidationFailed
from tests.cmdb.conftest import make_ci, relate, rtype


def test_a_ci_cannot_relate_to_itself(world):
    ci = make_ci(world.agent)
    with pytest.raises(ValidationFailed):
        relate(world.agent, ci, "depends_on", ci)


def test_contains_gives_a_child_one_parent_and_no_cycle(world):
    tomcat, tomcat2, war = (make_ci(world.agent, n, "app_server") for n in ("t1", "t2", "war"))
    relate(world.agent, tomcat, "contains", war)
    with pytest.raises(ValidationFailed) as exc:
        relate(world.agent, tomcat2, "contains", war)
    assert "child" in exc.value.as_dict()
    with pytest.raises(ValidationFailed):
        relate(world.agent, war, "contains", tomcat)
    relate(world.agent, tomcat2, "depends_on", war)  # other types may add parents


def test_duplicates_other_tenants_and_requesters_are_refused(world):
    a, b = make_ci(world.agent), make_ci(world.agent)
    relate(world.agent, a, "depends_on", b)
    with pytest.raises(ValidationFailed):
        relate(world.agent, a, "depends_on", b)
    outside = make_ci(world.outsider_agent)
    with pytest.raises((ValidationFailed, PermissionDenied)):
        relate(world.agent, a, "depends_on", outside)
    with pytest.raises(PermissionDenied):
        actions.create_relationship(actor=world.requester, parent=b, child=a, type=rtype("runs_on"))
