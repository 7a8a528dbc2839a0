"""SECURITY-REFERENCE §2 (bad input loses nothing): names and e-mails of people, teams and
organizations that are not text, hold NUL (a PostgreSQL error) or are blank are field errors on
both engines, and nothing is written."""

import pytest

from serval.core.errors import ValidationFailed
from serval.people import actions
from serval.people.models import Organization, Team, User
from tests import factories as f

BAD_NAMES = ["", "   ", "a\x00b", 42, ["x"], "x" * 201]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_team_and_organization_names_are_checked(world, name):
    teams, orgs = Team.objects.count(), Organization.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        actions.create_team(actor=world.admin, tenant=world.tenant, name=name)
    assert "name" in exc.value.as_dict()
    with pytest.raises(ValidationFailed):
        actions.create_organization(actor=world.admin, tenant=world.tenant, name=name)
    with pytest.raises(ValidationFailed):
        actions.update_team(actor=world.admin, team=world.team, name=name)
    with pytest.raises(ValidationFailed):
        actions.update_organization(actor=world.admin, organization=world.org, name=name)
    assert (Team.objects.count(), Organization.objects.count()) == (teams, orgs)


@pytest.mark.parametrize("email", ["not-an-address", "a\x00@b.test", 7])
def test_team_and_user_emails_are_checked(world, email):
    with pytest.raises(ValidationFailed) as exc:
        actions.create_team(actor=world.admin, tenant=world.tenant, name="Mail desk", email=email)
    assert "email" in exc.value.as_dict()
    with pytest.raises(ValidationFailed) as exc:
        actions.create_user(actor=world.admin, tenant=world.tenant, username="newbie", email=email)
    assert "email" in exc.value.as_dict()
    assert not User.objects.filter(username="newbie").exists()


@pytest.mark.parametrize("username", ["", "nul\x00user", None, "u" * 151])
def test_usernames_are_checked(world, username):
    with pytest.raises(ValidationFailed) as exc:
        actions.create_user(actor=world.admin, tenant=world.tenant, username=username)
    assert "username" in exc.value.as_dict()


def test_valid_names_are_stored_stripped(world):
    team = actions.create_team(
        actor=world.admin, tenant=world.tenant, name="  Field Services ", email="fs@example.test"
    )
    assert (team.name, team.email) == ("Field Services", "fs@example.test")
    user = f.make_user("agent", world.tenant, "  spaced  ")
    assert user.username == "spaced"
