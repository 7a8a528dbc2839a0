"""An agent records, edits and deletes licences on `/assets/licences/`, and the list shows the
compliance position they yield: entitlements − consumption for the product and metric (DOMAIN.md
§2.8). The forms call `create_licence` / `update_licence` / `delete_licence`, which are agents'
work in the licence's tenant: requesters and other tenants get a 404.
"""

from __future__ import annotations

from django.contrib.messages import get_messages
from django.test import Client

from serval.assets import compliance
from serval.assets.models import Licence
from serval.core.models import JournalEvent
from tests.assets.conftest import days, install, make_ci, make_product, make_version


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _position(licence: Licence):
    return compliance.positions([compliance.pool_of(licence)])[compliance.pool_of(licence)]


def _office_on_three_devices(world):
    product = make_product(world.admin, "Office", vendor="Contoso")
    version = make_version(world.admin, product, "2024")
    for n in range(3):
        install(world.agent, make_ci(world.agent, f"pc{n}"), version)
    return product


def test_record_a_licence_edit_it_and_see_the_position(world):
    product = _office_on_three_devices(world)
    client = _client(world.agent)
    assert 'href="/assets/licences/new"' in client.get("/assets/licences/").content.decode()
    assert (
        f'<option value="{product.pk}">Contoso Office</option>'
        in client.get("/assets/licences/new").content.decode()
    )
    created = client.post(
        "/assets/licences/new",
        {
            "name": "EA-2024",
            "product": product.pk,
            "metric": "device",
            "quantity": "2",
            "term_start": days(-10).isoformat(),
            "term_end": days(355).isoformat(),
            "cost": "1200.50",
        },
        follow=True,
    )
    assert _said(created) == ["The licence “EA-2024” was recorded."]
    licence = Licence.objects.get()
    assert (licence.tenant_id, licence.quantity, str(licence.cost)) == (
        world.tenant.pk,
        2,
        "1200.50",
    )
    pos = _position(licence)
    assert (pos.entitlements, pos.consumption, pos.position, pos.compliant) == (2, 3, -1, False)
    html = created.content.decode()
    assert '<span class="badge bg-red-lt">-1 ' in html and "1 pool short" in html
    assert f'href="/assets/licences/{licence.pk}/edit"' in html

    form = client.get(f"/assets/licences/{licence.pk}/edit").content.decode()
    assert 'value="EA-2024"' in form and f'action="/assets/licences/{licence.pk}/delete"' in form
    saved = client.post(
        f"/assets/licences/{licence.pk}/edit",
        {
            "name": "EA-2024",
            "product": product.pk,
            "metric": "device",
            "quantity": "5",
            "term_start": days(-10).isoformat(),
            "term_end": days(355).isoformat(),
            "cost": "1200.50",
            "version": "1",
        },
        follow=True,
    )
    assert _said(saved) == ["The licence “EA-2024” was saved."]
    assert _position(licence).position == 2
    assert '<span class="badge bg-green-lt">2</span>' in saved.content.decode()

    deleted = client.post(f"/assets/licences/{licence.pk}/delete", follow=True)
    assert _said(deleted) == ["The licence “EA-2024” was deleted."]
    assert not Licence.objects.exists()
    verbs = JournalEvent.objects.filter(subject_type="licence").values_list("verb", flat=True)
    assert sorted(verbs) == ["created", "deleted", "updated"]


def test_a_per_user_licence_counts_its_assigned_users(world):
    product = make_product(world.admin, "Design")
    response = _client(world.agent).post(
        "/assets/licences/new",
        {
            "name": "Seats",
            "product": product.pk,
            "metric": "user",
            "quantity": "1",
            "assigned_users": [world.agent.pk, world.agent2.pk],
        },
    )
    assert response.status_code == 302
    licence = Licence.objects.get()
    assert sorted(u.username for u in licence.assigned_users.all()) == sorted(
        [world.agent.username, world.agent2.username]
    )
    assert (_position(licence).consumption, _position(licence).position) == (2, -1)


def test_term_order_and_stale_edits_are_refused(world):
    product = make_product(world.admin, "Tool")
    client = _client(world.agent)
    fields = {"name": "L", "product": product.pk, "metric": "device", "quantity": "1"}
    response = client.post(
        "/assets/licences/new",
        fields | {"term_start": days(10).isoformat(), "term_end": days(1).isoformat()},
    )
    assert response.context["form"].errors == {"term_end": ["Must not be before term start."]}
    assert not Licence.objects.exists()

    client.post("/assets/licences/new", fields)
    licence = Licence.objects.get()
    url = f"/assets/licences/{licence.pk}/edit"
    client.post(url, fields | {"quantity": "7", "version": "1"})
    response = client.post(url, fields | {"quantity": "3", "version": "1"})
    assert "Someone else saved this record meanwhile" in response.content.decode()
    licence.refresh_from_db()
    assert (licence.quantity, licence.version) == (7, 2)


def test_requesters_and_other_tenants_get_404(world):
    product = make_product(world.admin, "Tool")
    client = _client(world.agent)
    client.post(
        "/assets/licences/new",
        {"name": "L", "product": product.pk, "metric": "device", "quantity": "1"},
    )
    licence = Licence.objects.get()
    for user in (world.requester, world.outsider_agent):
        other = _client(user)
        for url in (
            f"/assets/licences/{licence.pk}/edit",
            f"/assets/licences/{licence.pk}/delete",
        ):
            assert other.post(url, {"name": "x"}).status_code == 404, (user, url)
        assert other.get(f"/assets/licences/{licence.pk}/edit").status_code == 404
    assert _client(world.requester).get("/assets/licences/new").status_code == 404
    # Another tenant's agent may record licences of their own, but not for this product.
    response = _client(world.outsider_agent).post(
        "/assets/licences/new",
        {"name": "Mine", "product": product.pk, "metric": "device", "quantity": "1"},
    )
    assert "product" in response.context["form"].errors
    assert list(Licence.objects.values_list("name", flat=True)) == ["L"]
