"""DESIGN.md rule 8: reference data (teams) can be shared *down* the tenant tree — a parent's
shared team is usable in a child tenant, never the other way round, and unshared teams stay
home (SECURITY-REFERENCE A3)."""

from __future__ import annotations

import pytest

from serval.core.errors import ValidationFailed
from serval.people.models import TenantGrant, User
from serval.people.querysets import teams_visible_to
from tests import factories as f


@pytest.fixture
def tree(world):
    parent = f.make_tenant("Provider")
    child = f.make_tenant("Client", parent=parent)
    provider_agent = f.make_user("agent", parent)
    TenantGrant.objects.create(user=provider_agent, tenant=parent, include_descendants=True)
    child_agent = f.make_user("agent", child)
    shared = f.make_team(parent, [provider_agent], "Provider NOC", shared=True)
    private = f.make_team(parent, [provider_agent], "Provider Finance", shared=False)
    child_shared = f.make_team(child, [child_agent], "Client Desk", shared=True)
    return (
        parent,
        child,
        User.objects.get(pk=provider_agent.pk),
        child_agent,
        shared,
        private,
        child_shared,
    )


def test_a_parents_shared_team_takes_a_childs_incident(tree):
    parent, child, provider_agent, child_agent, shared, private, child_shared = tree
    inc = f.make_incident(child_agent, assignment_group=shared.pk)
    assert inc.tenant == child and inc.assignment_group == shared
    inc = f.make_incident(child_agent, assignment_group=shared.pk, assignee=provider_agent.pk)
    assert inc.assignee == provider_agent
    assert shared in teams_visible_to(child_agent)


def test_a_parents_unshared_team_is_unknown_in_the_child(tree):
    parent, child, provider_agent, child_agent, shared, private, child_shared = tree
    with pytest.raises(ValidationFailed) as exc:
        f.make_incident(child_agent, assignment_group=private.pk)
    assert "assignment_group" in exc.value.as_dict()
    assert private not in teams_visible_to(child_agent)


def test_a_childs_team_is_not_shared_up(tree):
    parent, child, provider_agent, child_agent, shared, private, child_shared = tree
    with pytest.raises(ValidationFailed) as exc:
        f.make_incident(provider_agent, tenant=parent, assignment_group=child_shared.pk)
    assert "assignment_group" in exc.value.as_dict()


def test_a_shared_team_does_not_reach_a_sibling_tree(world, tree):
    parent, child, provider_agent, child_agent, shared, private, child_shared = tree
    with pytest.raises(ValidationFailed):
        f.make_incident(world.agent, assignment_group=shared.pk)
    assert shared not in teams_visible_to(world.agent)
