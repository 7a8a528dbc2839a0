"""An agent sets a CI's operational status on its page (the failing database of issue 4).

The form posts to `/cmdb/cis/<id>/status`, which calls `update_ci` with the version the page was
read at: the change is journaled, a stale page is refused with a message, an unknown status is
refused, and requesters and other tenants get a 404 (SECURITY-REFERENCE A1).
"""

from __future__ import annotations

from django.contrib.messages import get_messages
from django.test import Client

from serval.cmdb import actions
from serval.core.models import JournalEvent
from tests.cmdb.conftest import make_ci


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _said(response) -> list[str]:
    """The messages shown on the page the post redirects to (posted with follow=True)."""
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_page_offers_the_statuses_and_setting_one_is_journaled(world):
    ci = make_ci(world.agent, "db-01", "db_instance")
    client = _client(world.agent)
    html = client.get(f"/cmdb/cis/{ci.pk}/").content.decode()
    assert f'action="/cmdb/cis/{ci.pk}/status"' in html and 'value="non_operational"' in html
    response = client.post(
        f"/cmdb/cis/{ci.pk}/status",
        {"operational_status": "non_operational", "version": ci.version},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == f"/cmdb/cis/{ci.pk}/"
    assert "db-01 is now Non-operational." in _said(response)
    ci.refresh_from_db()
    assert ci.operational_status == "non_operational"
    event = JournalEvent.objects.filter(subject_type="ci", subject_id=ci.pk, verb="updated").get()
    assert event.data == {"changes": {"operational_status": ["operational", "non_operational"]}}


def test_a_stale_page_or_an_unknown_status_changes_nothing(world):
    ci = make_ci(world.agent, "db-02", "db_instance")
    read_at = ci.version
    actions.update_ci(actor=world.agent, ci=ci, location="Basel")
    client = _client(world.agent)
    stale = client.post(
        f"/cmdb/cis/{ci.pk}/status",
        {"operational_status": "degraded", "version": read_at},
        follow=True,
    )
    assert _said(stale) == ["Someone else changed this CI meanwhile; try again."]
    unknown = client.post(
        f"/cmdb/cis/{ci.pk}/status", {"operational_status": "on_fire"}, follow=True
    )
    assert _said(unknown) == ["Choose an operational status."]
    ci.refresh_from_db()
    assert ci.operational_status == "operational"


def test_requesters_and_outsiders_get_404_and_see_no_form(world):
    ci = make_ci(world.agent, "db-03", "db_instance")
    for user in (world.requester, world.outsider_agent):
        client = _client(user)
        response = client.post(f"/cmdb/cis/{ci.pk}/status", {"operational_status": "degraded"})
        assert response.status_code == 404
    assert _client(world.agent).get(f"/cmdb/cis/{ci.pk}/status").status_code == 405
    ci.refresh_from_db()
    assert ci.operational_status == "operational"
