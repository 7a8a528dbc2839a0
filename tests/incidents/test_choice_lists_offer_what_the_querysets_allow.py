"""The edit forms' choice lists — teams, a team's members, callers — are read by prebuilt
statements with the visibility querysets' own conditions (serval.core.rawrows.rows_where,
issue 6). They must offer exactly what the querysets allow, in the same order, for every kind
of user: own and shared-down teams, never another tenant's, members of visible teams only,
inactive people and requesters-as-assignees never (DESIGN.md rule 8, SECURITY-REFERENCE A3)."""

from __future__ import annotations

import pytest
from django.db.models import Q

from serval.incidents.forms import (
    AGENT_ROLES,
    caller_choices,
    member_choices,
    team_choices,
)
from serval.people.models import Role, Team, TenantGrant, User
from serval.people.querysets import teams_visible_to, users_visible_to
from serval.web.widgets import option_tags
from tests import factories as f


@pytest.fixture
def people(world):
    parent = f.make_tenant("Provider")
    child = f.make_tenant("Client", parent=parent)
    provider = f.make_user("agent", parent, "paula")
    TenantGrant.objects.create(user=provider, tenant=parent, include_descendants=True)
    client_agent = f.make_user("agent", child, "carl")
    gone = f.make_user("agent", child, "gone")
    User.objects.filter(pk=gone.pk).update(is_active=False)
    f.make_team(parent, [provider], "Provider NOC", shared=True)
    f.make_team(parent, [provider], "Provider Finance", shared=False)
    f.make_team(child, [client_agent, gone, f.make_user("requester", child)], "Client Desk")
    users = [
        world.agent,
        world.admin,
        world.requester,
        world.outsider_agent,
        User.objects.get(pk=provider.pk),
        User.objects.get(pk=client_agent.pk),
    ]
    return users


def _fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)  # no choices remembered from an earlier call


def test_teams_members_and_callers_match_the_querysets(people):
    all_teams = list(Team.objects.all())
    for user in people:
        teams = teams_visible_to(user).values_list("pk", "name")
        expected_teams = [(str(pk), name) for pk, name in teams]
        assert team_choices(_fresh(user), "-")[1:] == expected_teams, user.username
        for team in all_teams:
            visible = teams_visible_to(user).filter(pk=team.pk)
            expected = [
                (str(pk), f"{first} {last}".strip() or name)
                for pk, name, first, last in User.objects.filter(
                    teams__in=visible, is_active=True, role__in=AGENT_ROLES
                )
                .order_by("first_name", "last_name", "username")
                .values_list("pk", "username", "first_name", "last_name")
            ]
            assert member_choices(_fresh(user), team.pk, "-")[1:] == expected, (user, team)
        callers = (
            users_visible_to(user)
            .filter(is_active=True)
            .filter(Q(role=Role.REQUESTER) | Q(role__in=AGENT_ROLES))
            .order_by("username")
            .values_list("username", "first_name", "last_name")[:500]
        )
        assert caller_choices(_fresh(user)) == option_tags(
            (name, f"{first} {last}".strip() or name) for name, first, last in callers
        )


def test_a_team_out_of_sight_offers_no_members(world, people):
    hidden = world.outsider_team
    assert member_choices(_fresh(world.agent), hidden.pk, "-") == [("", "-")]
    assert member_choices(_fresh(world.agent), "x", "-") == [("", "-")]
