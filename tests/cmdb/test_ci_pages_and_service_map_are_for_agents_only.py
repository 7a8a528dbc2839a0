"""The CI list, the CI page with its clickable service map, the import page and the portfolio.

Agents see them; requesters and other tenants get a 404 (SECURITY-REFERENCE A1). The map is a
server-rendered SVG with no inline script or style (CSP).
"""

from __future__ import annotations

import re

from django.test import Client

from serval.cmdb import actions
from serval.services import actions as services
from tests.cmdb.conftest import make_ci, relate


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_agent_navigates_the_map_by_clicking(world):
    db = make_ci(world.agent, "orders-db", "db_instance")
    app = make_ci(world.agent, "orders-app", "app_server")
    relate(world.agent, app, "depends_on", db)
    shop = services.create_service(actor=world.manager, name="Web shop", status="live")
    actions.link_service(actor=world.agent, service=shop, ci=app)
    client = _client(world.agent)
    page = client.get(f"/cmdb/cis/{db.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and f'href="/cmdb/cis/{app.pk}/"' in html
    assert f'href="/services/{shop.pk}/"' in html and "Web shop" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)|\sstyle=", html.split("<main", 1)[1])
    listing = client.get("/cmdb/cis/?class=software&q=orders").content.decode()
    assert "orders-db" in listing and "orders-app" in listing
    assert client.get("/services/").status_code == 200
    assert "orders-app" in client.get(f"/services/{shop.pk}/").content.decode()
    assert client.get("/cmdb/cis/import").status_code == 200


def test_requesters_and_outsiders_get_404(world):
    ci = make_ci(world.agent, "secret")
    assert _client(world.outsider_agent).get(f"/cmdb/cis/{ci.pk}/").status_code == 404
    requester = _client(world.requester)
    assert requester.get(f"/cmdb/cis/{ci.pk}/").status_code == 404
    assert requester.get("/cmdb/cis/").status_code == 404


def test_the_import_page_runs_a_dry_run(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = _client(world.agent)
    upload = SimpleUploadedFile("e.csv", b"class,name\nserver,s1\nrouter,r1\n")
    html = client.post("/cmdb/cis/import", {"file": upload}).content.decode()
    assert "Nothing was imported" in html and "Unknown class." in html
