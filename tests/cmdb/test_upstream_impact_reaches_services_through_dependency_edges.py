"""DOMAIN.md §2.7 impact propagation: from a failing CI up to the services it hits.

Only dependency-type edges carry impact, cycles are safe, depth is limited, and every result
comes with the path that links it; offerings roll up to their service.
"""

from __future__ import annotations

from serval.cmdb import actions, impact
from serval.services import actions as services
from tests.cmdb.conftest import make_ci, relate


def _estate(world):
    a = world.agent
    db = make_ci(a, "db", "db_instance")
    host = make_ci(a, "host")
    app = make_ci(a, "app", "app_server")
    web = make_ci(a, "web", "app_server")
    switch = make_ci(a, "switch", "network_gear")
    relate(a, db, "runs_on", host)
    relate(a, app, "depends_on", db)
    relate(a, web, "depends_on", app)
    relate(a, db, "depends_on", web)  # a cycle back down
    relate(a, switch, "connects_to", host)  # not a dependency: carries no impact
    shop = services.create_service(actor=world.manager, name="Shop", status="live")
    gold = services.create_service(
        actor=world.manager, name="Shop Gold", kind="offering", parent=shop
    )
    actions.link_service(actor=a, service=gold, ci=web)
    return db, host, app, web, switch, shop, gold


def test_upstream_from_the_host_reaches_the_service_with_paths(world):
    db, host, app, web, switch, shop, gold = _estate(world)
    result, cis, found = impact.analyse(world.agent, [host], direction="upstream", depth=10)
    assert [(h.id, h.depth) for h in result.cis] == [(db.pk, 1), (app.pk, 2), (web.pk, 3)]
    assert switch.pk not in cis
    by_id = {h.id: h for h in result.services}
    assert by_id[gold.pk].depth == 4 and by_id[shop.pk].depth == 5
    assert by_id[shop.pk].path == (
        ("ci", host.pk),
        ("ci", db.pk),
        ("ci", app.pk),
        ("ci", web.pk),
        ("service", gold.pk),
        ("service", shop.pk),
    )


def test_depth_limits_the_walk(world):
    db, host, app, web, *_ = _estate(world)
    result = impact.walk([host.pk], direction="upstream", depth=2)
    assert [h.id for h in result.cis] == [db.pk, app.pk] and result.services == []


def test_downstream_is_what_a_ci_depends_on(world):
    db, host, app, web, *_ = _estate(world)
    result = impact.walk([app.pk], direction="downstream", depth=5)
    assert {(h.id, h.depth) for h in result.cis} == {(db.pk, 1), (host.pk, 2), (web.pk, 2)}


def test_other_users_see_nothing_of_it(world):
    db, host, *_ = _estate(world)
    result, cis, found = impact.analyse(world.outsider_agent, [host], depth=10)
    assert result.cis == [] and result.services == []
