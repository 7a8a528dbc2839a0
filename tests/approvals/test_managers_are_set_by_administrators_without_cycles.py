"""A person's line manager (DOMAIN.md §2.4 "requester's manager" approves) is set when the
account is made or later by an administrator: someone active in the person's tenant, never the
person themselves or anyone who reports to them; journaled; the users API shows and sets it."""

from __future__ import annotations

import pytest

from serval.core.errors import PermissionDenied, StaleVersion, ValidationFailed
from serval.core.models import JournalEvent
from serval.people import actions as people
from tests import factories as f
from tests.approvals.conftest import assert_problem


def test_set_at_creation_and_changed_later(world):
    boss = f.make_user("manager", world.tenant, "boss", manager=None)
    worker = f.make_user("agent", world.tenant, "worker", manager=boss)
    assert worker.manager == boss
    people.update_user(actor=world.admin, user=worker, manager=world.manager, first_name="Wanda")
    worker.refresh_from_db()
    assert (worker.manager, worker.first_name, worker.version) == (world.manager, "Wanda", 2)
    event = JournalEvent.objects.filter(subject_type="user", subject_id=worker.pk).last()
    assert event.verb == "updated"
    assert event.data["changes"]["manager"] == ["boss", "mona"]


def test_no_cycles_no_self_no_outsiders(world):
    a = f.make_user("agent", world.tenant, "aa")
    b = f.make_user("agent", world.tenant, "bb", manager=a)
    c = f.make_user("agent", world.tenant, "cc", manager=b)
    for user, manager in ((a, c), (a, b), (a, a)):
        with pytest.raises(ValidationFailed) as exc:
            people.update_user(actor=world.admin, user=user, manager=manager)
        assert "manager" in exc.value.as_dict()
    with pytest.raises(ValidationFailed):
        people.update_user(actor=world.admin, user=a, manager=world.outsider_agent)
    with pytest.raises(ValidationFailed):
        f.make_user("agent", world.tenant, "dd", manager=world.outsider_agent)


def test_only_administrators_and_fresh_versions(world):
    with pytest.raises(PermissionDenied):
        people.update_user(actor=world.manager, user=world.agent, manager=world.manager)
    with pytest.raises(StaleVersion):
        people.update_user(
            actor=world.admin, user=world.agent, expected_version=7, manager=world.manager
        )
    with pytest.raises(ValidationFailed):
        people.update_user(actor=world.admin, user=world.agent, role="admin")
    with pytest.raises(ValidationFailed):
        people.update_user(actor=world.admin, user=world.agent, time_zone="Mars/Olympus")


def test_the_users_api(world, api_as):
    admin = api_as(world.admin)
    response = admin.get(f"users/{world.agent.pk}")
    assert response.json()["manager"] is None
    etag = response["ETag"]
    patched = admin.patch(
        f"users/{world.agent.pk}", {"manager": "mona", "time_zone": "Europe/Paris"}, If_Match=etag
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["manager"]["username"] == "mona"
    assert_problem(admin.patch(f"users/{world.agent.pk}", {"manager": None}, If_Match=etag), 412)
    assert admin.patch(f"users/{world.agent.pk}", {"manager": None}).json()["manager"] is None
    assert_problem(admin.patch(f"users/{world.manager.pk}", {"manager": world.manager.pk}), 422)
    assert_problem(admin.patch(f"users/{world.agent.pk}", {"role": "admin"}), 422)
    assert_problem(api_as(world.manager).patch(f"users/{world.agent.pk}", {"manager": "mona"}), 403)
    assert_problem(api_as(world.outsider_agent).patch(f"users/{world.agent.pk}", {}), 404)
    created = admin.post("users", {"username": "newbie", "manager": "mona"})
    assert created.status_code == 201 and created.json()["manager"]["username"] == "mona"
