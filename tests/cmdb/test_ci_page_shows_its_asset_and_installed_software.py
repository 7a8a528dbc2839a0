"""Issue 4: the CI page shows the CI's asset (tag, status, warranty) and its installed software
versions with their support dates; the service map labels nodes with the asset tag and puts the
same facts in each node's tooltip, outlining software near its end of support — all in a
constant number of queries, and only what the viewer may see."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from serval.assets import actions as assets
from serval.assets import software
from tests.cmdb.conftest import make_ci, relate


def _estate(world):
    today = timezone.localdate()
    server = make_ci(world.agent, "srv-1")
    db = make_ci(world.agent, "db-1", "db_instance")
    relate(world.agent, db, "runs_on", server)
    assets.create_asset(
        actor=world.agent,
        name="Rack server",
        asset_tag="A-0042",
        ci=server,
        lifecycle_stage="operational",
        lifecycle_status="in_use",
        warranty_end=today - timedelta(days=3),
    )
    product = software.create_product(actor=world.admin, vendor="PostgreSQL", name="Server")
    old = software.create_version(
        actor=world.admin, product=product, version="12", end_of_support=today + timedelta(days=30)
    )
    software.create_installation(actor=world.agent, ci=server, software_version=old)
    return server, db


def test_the_ci_page_has_the_asset_and_software_cards(world):
    server, _db = _estate(world)
    client = Client()
    client.force_login(world.agent)
    html = client.get(f"/cmdb/cis/{server.pk}/").content.decode()
    assert "A-0042" in html and "expired" in html
    assert "PostgreSQL Server 12" in html and "End of support due" in html


def test_service_map_nodes_carry_the_asset_tag_and_a_tooltip(world):
    server, db = _estate(world)
    client = Client()
    client.force_login(world.agent)
    html = client.get(f"/cmdb/cis/{db.pk}/").content.decode()
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert "Server · A-0042" in svg
    assert "Asset A-0042, in use, warranty until" in svg
    assert "PostgreSQL Server 12 — End of support due" in svg
    assert 'stroke="#f76707"' in svg  # its software is within 90 days of end of support


def test_the_ci_page_costs_a_bounded_number_of_queries(world, django_assert_max_num_queries):
    server, _db = _estate(world)
    for n in range(10):
        relate(
            world.agent, make_ci(world.agent, f"app-{n}", "business_application"), "runs_on", server
        )
    client = Client()
    client.force_login(world.agent)
    client.get(f"/cmdb/cis/{server.pk}/")
    # 27 today, whatever the neighbours (4 read the choices of its forms: services, versions,
    # and the relationship form's types and suggested CIs)
    with django_assert_max_num_queries(28):
        assert client.get(f"/cmdb/cis/{server.pk}/").status_code == 200


def test_another_tenants_agent_sees_nothing(world):
    server, _db = _estate(world)
    client = Client()
    client.force_login(world.outsider_agent)
    assert client.get(f"/cmdb/cis/{server.pk}/").status_code == 404
