"""An agent says on a CI's page which services it realizes (issue 4: the business service's
application), and takes a link back.

The form posts to `/cmdb/cis/<id>/services`, which calls `link_service` / `unlink_service`;
it offers the services of the CI's tenant (and shared ones) not linked yet. Refusals are shown
as messages; requesters and other tenants get a 404 (SECURITY-REFERENCE A1).
"""

from __future__ import annotations

from django.contrib.messages import get_messages
from django.test import Client

from serval.cmdb.models import ServiceCI
from serval.services import actions as services
from tests import factories as f
from tests.cmdb.conftest import make_ci


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _said(response) -> list[str]:
    """The messages shown on the page the post redirects to (posted with follow=True)."""
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_link_a_service_then_unlink_it(world):
    app = make_ci(world.agent, "app-payroll", "business_application")
    payroll = services.create_service(actor=world.manager, name="Payroll", status="live")
    client = _client(world.agent)
    html = client.get(f"/cmdb/cis/{app.pk}/").content.decode()
    assert f'<option value="{payroll.pk}">Payroll</option>' in html
    url = f"/cmdb/cis/{app.pk}/services"
    linked = client.post(url, {"op": "link", "service": payroll.pk}, follow=True)
    assert "app-payroll now realizes Payroll." in _said(linked)
    assert ServiceCI.objects.filter(ci=app, service=payroll).exists()
    html = linked.content.decode()
    assert f'href="/services/{payroll.pk}/"' in html
    assert f'<option value="{payroll.pk}">' not in html  # linked: no longer offered
    again = client.post(url, {"op": "link", "service": payroll.pk}, follow=True)
    assert _said(again) == ["This CI is already linked to the service."]
    unlinked = client.post(url, {"op": "unlink", "service": payroll.pk}, follow=True)
    assert _said(unlinked) == ["app-payroll no longer realizes Payroll."]
    assert not ServiceCI.objects.filter(ci=app).exists()


def test_an_unknown_or_foreign_service_is_refused(world):
    app = make_ci(world.agent, "app-1", "business_application")
    outsider_manager = f.make_user("manager", world.outsider_agent.tenant, "omar")
    foreign = services.create_service(actor=outsider_manager, name="Elsewhere", status="live")
    client = _client(world.agent)
    assert "Elsewhere" not in client.get(f"/cmdb/cis/{app.pk}/").content.decode()
    url = f"/cmdb/cis/{app.pk}/services"
    for key in (foreign.pk, "99999", "x", ""):
        response = client.post(url, {"op": "link", "service": key}, follow=True)
        assert _said(response) == ["Choose a service."]
    assert not ServiceCI.objects.exists()


def test_requesters_and_outsiders_get_404(world):
    app = make_ci(world.agent, "app-2", "business_application")
    payroll = services.create_service(actor=world.manager, name="Payroll", status="live")
    for user in (world.requester, world.outsider_agent):
        response = _client(user).post(
            f"/cmdb/cis/{app.pk}/services", {"op": "link", "service": payroll.pk}
        )
        assert response.status_code == 404
    assert not ServiceCI.objects.exists()
