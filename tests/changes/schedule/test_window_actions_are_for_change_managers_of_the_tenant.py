"""Windows are written by change managers (roles manager and admin) of their tenant and read by
agents (DOMAIN.md §2.3 "Schedule"); everyone else is refused, and another tenant's window is
not found; a stale version is refused."""

from __future__ import annotations

import pytest

from serval.changes import windows
from serval.core.errors import NotFound, PermissionDenied, StaleVersion
from tests.changes.schedule.conftest import make_window


def test_agents_and_requesters_cannot_create_windows(world):
    for person in (world.agent, world.requester):
        with pytest.raises(PermissionDenied):
            make_window(person)


def test_admins_and_managers_can_and_agents_read_them(world):
    made = make_window(world.admin)
    make_window(world.manager)
    assert windows.windows_visible_to(world.agent).count() == 2
    assert not windows.windows_visible_to(world.requester).exists()
    assert not windows.windows_visible_to(world.outsider_agent).exists()
    with pytest.raises(NotFound):
        windows.access_window(world.outsider_agent, made.pk)


def test_an_outsider_manager_cannot_touch_the_window(world):
    from tests import factories as f

    made = make_window(world.manager)
    outsider = f.make_user("manager", world.other_tenant, "olaf")
    with pytest.raises(PermissionDenied):
        windows.update_window(actor=outsider, window=made, name="Mine now")
    with pytest.raises(PermissionDenied):
        windows.delete_window(actor=outsider, window=made)


def test_a_stale_version_is_refused(world):
    made = make_window(world.manager)
    windows.update_window(actor=world.manager, window=made, name="Renamed")
    with pytest.raises(StaleVersion):
        windows.update_window(
            actor=world.manager, window=made, expected_version=made.version, name="Again"
        )
