"""Which windows apply to a CI (DOMAIN.md §2.3 "Schedule": scoped globally, per service, CI
class, CI or group): a class covers its subclasses; a service covers the CIs that realize it and
the CIs through which the change impacts it; a team covers the changes it is assigned; another
tenant's windows never apply and its records can never be put in a window's scope."""

from __future__ import annotations

import pytest

from serval.changes import windows
from serval.cmdb import worklinks
from serval.cmdb.models import CIClass
from serval.core.errors import ValidationFailed
from tests.changes.conftest import make_change
from tests.changes.schedule.conftest import make_window, rules
from tests.cmdb.conftest import make_ci


def _class(name):
    return CIClass.objects.get(tenant__isnull=True, name=name)


def test_a_window_on_a_class_applies_to_cis_of_its_subclasses(world, estate):
    freeze = make_window(world.manager, ci_classes=[_class("hardware").pk])
    assert ("ci_blackout", estate.server.pk, None, freeze.pk) in rules(
        make_change(world.agent, cis=(estate.server,))  # server is a kind of hardware
    )
    app_only = make_ci(world.agent, "lonely-app", "app_server")
    assert rules(make_change(world.agent, cis=(app_only,))) == set()


def test_a_window_on_a_service_applies_to_the_ci_that_realizes_it(world, estate):
    freeze = make_window(world.manager, services=[estate.payroll.pk])
    assert ("ci_blackout", estate.app.pk, None, freeze.pk) in rules(
        make_change(world.agent, cis=(estate.app,))
    )


def test_a_window_on_a_service_applies_to_a_ci_the_service_depends_on_upstream(world, estate):
    freeze = make_window(world.manager, services=[estate.payroll.pk])
    # server ← db ← app ← Payroll: the change impacts Payroll through the server.
    assert ("ci_blackout", estate.server.pk, None, freeze.pk) in rules(
        make_change(world.agent, cis=(estate.server,))
    )


def test_a_window_on_a_service_the_change_names_directly_applies_to_the_change(world, estate):
    freeze = make_window(world.manager, services=[estate.payroll.pk])
    change = make_change(world.agent)
    worklinks.link_service(actor=world.agent, item=change, service=estate.payroll)
    assert rules(change) == {("ci_blackout", None, None, freeze.pk)}


def test_a_window_on_a_team_applies_to_changes_assigned_to_it(world, estate):
    freeze = make_window(world.manager, teams=[world.team.pk])
    mine = make_change(world.agent, assignment_group=world.team.pk)
    assert rules(mine) == {("ci_blackout", None, None, freeze.pk)}
    theirs = make_change(world.agent2, assignment_group=world.team2.pk)
    assert rules(theirs) == set()


def test_another_tenants_global_window_never_applies(world, estate):
    from tests import factories as f

    other_manager = f.make_user("manager", world.other_tenant, "omar")
    make_window(other_manager, name="Their freeze")
    assert rules(make_change(world.agent, cis=(estate.server,))) == set()


@pytest.mark.parametrize("scope", ["cis", "teams"])
def test_another_tenants_records_cannot_be_put_in_a_windows_scope(world, scope):
    from serval.cmdb import actions as cmdb
    from tests.cmdb.conftest import cls

    foreign = {
        "cis": lambda: cmdb.create_ci(
            actor=world.outsider_agent, name="their-srv", ci_class=cls("server")
        ),
        "teams": lambda: world.outsider_team,
    }[scope]()
    with pytest.raises(ValidationFailed) as exc:
        make_window(world.manager, **{scope: [foreign.pk]})
    assert scope in exc.value.as_dict()
    assert not windows.windows_visible_to(world.manager).exists()
