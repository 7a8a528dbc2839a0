"""The Django admin (SECURITY-REFERENCE A): admin role only; other tenants' rows do not exist."""

from __future__ import annotations

from serval.core.models import JournalEvent
from tests import factories as f


def test_agents_and_requesters_do_not_get_in(client, world):
    for user in (world.agent, world.requester, world.manager):
        client.force_login(user)
        assert client.get("/admin/", follow=True).status_code == 404


def test_anonymous_visitors_sign_in_through_the_throttled_login_page(client, db):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")


def test_an_admin_gets_in_and_cannot_change_work_or_the_journal(client, world):
    item = f.make_incident(world.agent)
    client.force_login(world.admin)
    assert client.get("/admin/").status_code == 200
    assert client.get(f"/admin/work/workitem/{item.pk}/change/").status_code == 200
    event = JournalEvent.objects.filter(subject_id=item.pk).first()
    page = client.get(f"/admin/core/journalevent/{event.pk}/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert client.get("/admin/core/journalevent/add/").status_code == 403
    assert client.get(f"/admin/core/journalevent/{event.pk}/delete/").status_code == 403
    assert client.post(f"/admin/work/workitem/{item.pk}/change/", {}).status_code == 403


def test_an_admin_of_another_tenant_sees_none_of_this_tenants_rows(client, world):
    item = f.make_incident(world.agent)
    other_admin = f.make_user("admin", world.other_tenant, "other-admin")
    client.force_login(other_admin)
    listing = client.get("/admin/work/workitem/")
    assert listing.status_code == 200 and item.number.encode() not in listing.content
    assert client.get(f"/admin/work/workitem/{item.pk}/change/").status_code in (302, 404)
    assert client.get("/admin/core/sequence/").status_code == 403
