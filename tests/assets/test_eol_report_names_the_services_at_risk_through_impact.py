"""Each version in the EOL report names the services that depend on its CIs — the upstream impact
of DOMAIN.md §2.7, one recursive walk for the whole report (issue 4, §3.5 step 2)."""

from __future__ import annotations

from serval.assets import eol
from serval.cmdb import actions as cmdb
from serval.services import actions as services
from tests.assets.conftest import days, install, make_ci, make_product, make_version, relate


def test_services_are_attributed_to_the_version_whose_cis_they_depend_on(
    world, django_assert_max_num_queries
):
    product = make_product(world.admin, "PostgreSQL")
    old = make_version(world.admin, product, "12", end_of_support=days(30))
    older = make_version(world.admin, product, "11", end_of_support=days(-10))
    db = make_ci(world.agent, "db", klass="db_instance")
    app = make_ci(world.agent, "app", klass="business_application")
    relate(world.agent, app, "depends_on", db)
    cache = make_ci(world.agent, "cache")
    lonely = make_ci(world.agent, "lonely")
    shop = services.create_service(actor=world.manager, name="Shop", status="live")
    web = services.create_service(
        actor=world.manager, name="Web shop", kind="offering", parent=shop, status="live"
    )
    billing = services.create_service(actor=world.manager, name="Billing", status="live")
    cmdb.link_service(actor=world.agent, service=web, ci=app)
    cmdb.link_service(actor=world.agent, service=billing, ci=cache)
    install(world.agent, db, old)
    install(world.agent, cache, older)
    install(world.agent, lonely, older)

    with django_assert_max_num_queries(10):
        result = eol.report(world.agent, within=90)
    by_version = {g.version.version: {s.name for s in g.services} for g in result.groups}
    # db → app → offering "Web shop" → its service "Shop"; the cache's service stays with 11.
    assert by_version == {"12": {"Web shop", "Shop"}, "11": {"Billing"}}


def test_a_report_without_dependencies_names_no_services(world):
    product = make_product(world.admin, "Tool")
    version = make_version(world.admin, product, "1", end_of_life=days(10))
    install(world.agent, make_ci(world.agent, "alone"), version)
    (group,) = eol.report(world.agent, within=90).groups
    assert group.services == []
