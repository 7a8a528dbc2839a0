"""An agent records on a CI's page which software version it runs, and takes it back (issue 4:
the servers whose version leaves support show on the end-of-life report).

The form posts to `/assets/cis/<id>/software`, which calls `create_installation` /
`delete_installation`; it offers the catalogue's versions of the CI's tenant (and shared ones)
the CI does not run yet. Refusals are messages; requesters and other tenants get a 404.
"""

from __future__ import annotations

from django.contrib.messages import get_messages
from django.test import Client

from serval.assets import eol
from serval.assets.models import Installation
from tests.assets.conftest import days, install, make_ci, make_product, make_version


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _said(response) -> list[str]:
    """The messages shown on the page the post redirects to (posted with follow=True)."""
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_record_a_version_see_it_on_the_report_then_remove_it(world):
    server = make_ci(world.agent, "srv-db-01")
    pg = make_product(world.admin, "PostgreSQL", vendor="PGDG")
    v13 = make_version(world.admin, pg, "13", end_of_support=days(60))
    client = _client(world.agent)
    url = f"/assets/cis/{server.pk}/software"
    html = client.get(f"/cmdb/cis/{server.pk}/").content.decode()
    assert f'<option value="{v13.pk}">PGDG PostgreSQL 13</option>' in html
    added = client.post(url, {"op": "add", "software_version": v13.pk}, follow=True)
    assert _said(added) == ["srv-db-01 runs PGDG PostgreSQL 13."]
    assert added.redirect_chain[-1][0] == f"/cmdb/cis/{server.pk}/"
    assert f'<option value="{v13.pk}">' not in added.content.decode()
    (group,) = eol.report(world.agent, within=90).groups
    assert [i.ci_id for i in group.installations] == [server.pk]
    again = client.post(url, {"op": "add", "software_version": v13.pk}, follow=True)
    assert _said(again) == ["This CI already runs this version."]
    inst = Installation.objects.get(ci=server)
    removed = client.post(url, {"op": "remove", "installation": inst.pk}, follow=True)
    assert _said(removed) == ["srv-db-01 no longer runs PGDG PostgreSQL 13."]
    assert not Installation.objects.exists()


def test_unknown_versions_and_installations_are_refused(world):
    server = make_ci(world.agent, "srv-1")
    other = make_ci(world.agent, "srv-2")
    version = make_version(world.admin, make_product(world.admin, "Tool"), "1")
    elsewhere = install(world.agent, other, version)
    client = _client(world.agent)
    url = f"/assets/cis/{server.pk}/software"
    for key in ("99999", "x", ""):
        response = client.post(url, {"op": "add", "software_version": key}, follow=True)
        assert _said(response) == ["Choose a software version."]
    # An installation of another CI is not this CI's to remove.
    response = client.post(url, {"op": "remove", "installation": elsewhere.pk}, follow=True)
    assert _said(response) == ["Unknown installation."]
    assert Installation.objects.count() == 1


def test_requesters_and_outsiders_get_404(world):
    server = make_ci(world.agent, "srv-3")
    version = make_version(world.admin, make_product(world.admin, "Tool"), "2")
    for user in (world.requester, world.outsider_agent):
        response = _client(user).post(
            f"/assets/cis/{server.pk}/software", {"op": "add", "software_version": version.pk}
        )
        assert response.status_code == 404
    assert not Installation.objects.exists()
