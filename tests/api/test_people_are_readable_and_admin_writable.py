"""Users, teams and organizations over the API: visible per people.querysets, written by admins
through people.actions (SECURITY-REFERENCE A9, H1)."""

from __future__ import annotations

from tests import factories as f
from tests.api.conftest import Api, assert_problem


def test_agents_see_their_tenants_people_requesters_only_themselves(world):
    agent = Api(f.token_for(world.agent))
    names = {u["username"] for u in agent.get("users?limit=200").json()["items"]}
    assert {"alice", "bob", "rita", "admin"} <= names
    assert not {"oscar", "otto"} & names
    assert_problem(agent.get(f"users/{world.outsider_agent.pk}"), 404)

    requester = Api(f.token_for(world.requester))
    assert [u["username"] for u in requester.get("users").json()["items"]] == ["rita"]
    assert_problem(requester.get(f"users/{world.agent.pk}"), 404)
    assert requester.get("users/me").json()["organization"]["name"] == "Finance"
    assert [o["name"] for o in requester.get("organizations").json()["items"]] == ["Finance"]


def test_user_pages_follow_next(world):
    agent = Api(f.token_for(world.agent))
    first = agent.get("users?limit=2").json()
    assert len(first["items"]) == 2 and first["next"]


def test_teams_show_members_and_hide_other_tenants(world):
    agent = Api(f.token_for(world.agent))
    teams = {t["name"]: t for t in agent.get("teams").json()["items"]}
    assert set(teams) == {"Service Desk", "Network"}
    assert {m["username"] for m in teams["Service Desk"]["members"]} == {"alice", "mona"}
    assert teams["Service Desk"]["manager"]["username"] == "mona"
    assert_problem(agent.get(f"teams/{world.outsider_team.pk}"), 404)


def test_only_admins_write_reference_data(world):
    agent = Api(f.token_for(world.agent))
    assert_problem(agent.post("teams", {"name": "Shadow IT"}), 403)
    assert_problem(agent.patch(f"teams/{world.team.pk}", {"name": "Mine"}), 403)
    assert_problem(agent.post("organizations", {"name": "Ghost"}), 403)
    assert_problem(agent.post("users", {"username": "mallory", "role": "admin"}), 403)


def test_admin_creates_and_edits_teams_with_if_match(world):
    admin = Api(f.token_for(world.admin))
    created = admin.post(
        "teams", {"name": "DBA", "members": ["alice", world.agent2.pk], "manager": "mona"}
    )
    assert created.status_code == 201, created.content
    team = created.json()
    assert {m["username"] for m in team["members"]} == {"alice", "bob"}
    etag = admin.get(f"teams/{team['id']}")["ETag"]
    renamed = admin.patch(f"teams/{team['id']}", {"name": "Databases"}, **{"If-Match": etag})
    assert renamed.status_code == 200, renamed.content
    assert renamed.json()["name"] == "Databases"
    assert_problem(admin.patch(f"teams/{team['id']}", {"name": "X"}, **{"If-Match": etag}), 412)
    outsider = admin.post("teams", {"name": "Mixed", "members": ["oscar"]})
    assert {e["field"] for e in assert_problem(outsider, 422)["errors"]} == {"members"}


def test_admin_creates_organizations_and_users(world):
    admin = Api(f.token_for(world.admin))
    org = admin.post("organizations", {"name": "Legal", "kind": "customer"})
    assert org.status_code == 201, org.content
    renamed = admin.patch(f"organizations/{org.json()['id']}", {"name": "Legal & Compliance"})
    assert renamed.json()["name"] == "Legal & Compliance"
    user = admin.post(
        "users",
        {
            "username": "lena",
            "role": "requester",
            "email": "lena@example.test",
            "organization": org.json()["id"],
        },
    )
    assert user.status_code == 201, user.content
    assert user.json()["organization"]["name"] == "Legal & Compliance"
    assert_problem(admin.post("users", {"username": "lena"}), 422)
    assert_problem(admin.post("users", {"username": "x", "email": "not-an-email"}), 422)
    assert_problem(admin.post("users", {"username": "y", "tenant": world.other_tenant.slug}), 422)
