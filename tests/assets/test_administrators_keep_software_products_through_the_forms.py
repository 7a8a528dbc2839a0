"""An administrator creates, edits and deletes software products on `/assets/software/` (the
Django admin is read-only for them). The forms call `create_product` / `update_product` /
`delete_product`: the catalogue is administrators' work, so agents, requesters and other
tenants get a 404 on the new URLs and the list without buttons; a product still installed is not
deleted; an edit made on a stale copy is refused, not written over.
"""

from __future__ import annotations

from django.contrib.messages import get_messages
from django.test import Client

from serval.assets.models import SoftwareProduct
from serval.core.models import JournalEvent
from tests.assets.conftest import install, make_ci, make_product, make_version


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _fields(product, **changes):
    data = {
        "vendor": product.vendor,
        "name": product.name,
        "description": product.description,
        "version": product.version,
    }
    if product.shared:
        data["shared"] = "on"
    data.update(changes)
    return data


def test_create_edit_and_delete_a_product(world):
    client = _client(world.admin)
    assert 'href="/assets/software/new"' in client.get("/assets/software/").content.decode()
    created = client.post(
        "/assets/software/new",
        {"vendor": "PGDG", "name": "PostgreSQL", "description": "The database", "shared": "on"},
        follow=True,
    )
    assert _said(created) == ["The product “PGDG PostgreSQL” was created."]
    product = SoftwareProduct.objects.get()
    assert (product.tenant_id, product.description, product.shared) == (
        world.tenant.pk,
        "The database",
        True,
    )
    html = created.content.decode()
    assert f'href="/assets/software/{product.pk}/edit"' in html
    assert f'href="/assets/software/{product.pk}/versions/new"' in html

    form = client.get(f"/assets/software/{product.pk}/edit").content.decode()
    assert 'value="PostgreSQL"' in form and f'action="/assets/software/{product.pk}/delete"' in form
    unshared = _fields(product, name="Postgres")
    del unshared["shared"]  # an unticked box is not posted
    saved = client.post(f"/assets/software/{product.pk}/edit", unshared, follow=True)
    assert _said(saved) == ["The product “PGDG Postgres” was saved."]
    product.refresh_from_db()
    assert (product.name, product.shared, product.version) == ("Postgres", False, 2)

    assert client.get(f"/assets/software/{product.pk}/delete").status_code == 405
    deleted = client.post(f"/assets/software/{product.pk}/delete", follow=True)
    assert _said(deleted) == ["The product “PGDG Postgres” was deleted."]
    assert not SoftwareProduct.objects.exists()
    verbs = JournalEvent.objects.filter(subject_type="software_product").values_list(
        "verb", flat=True
    )
    assert sorted(verbs) == ["created", "deleted", "updated"]


def test_missing_and_duplicate_names_are_field_errors(world):
    make_product(world.admin, "Office", vendor="Contoso")
    client = _client(world.admin)
    response = client.post("/assets/software/new", {"vendor": "Contoso", "name": "Office"})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "name": ["This vendor already has a product of this name."]
    }
    response = client.post("/assets/software/new", {"vendor": "", "name": "X"})
    assert "vendor" in response.context["form"].errors
    assert SoftwareProduct.objects.count() == 1


def test_a_stale_edit_is_refused_and_nothing_is_overwritten(world):
    product = make_product(world.admin, "Tool")
    client = _client(world.admin)
    first = _fields(product, description="mine")
    client.post(f"/assets/software/{product.pk}/edit", _fields(product, description="theirs"))
    response = client.post(f"/assets/software/{product.pk}/edit", first)
    assert response.status_code == 200
    assert "Someone else saved this record meanwhile" in response.content.decode()
    product.refresh_from_db()
    assert (product.description, product.version) == ("theirs", 2)


def test_a_product_still_installed_is_not_deleted(world):
    product = make_product(world.admin, "Tool")
    install(world.agent, make_ci(world.agent, "srv"), make_version(world.admin, product, "1"))
    response = _client(world.admin).post(f"/assets/software/{product.pk}/delete", follow=True)
    assert _said(response) == ["Installations of this product exist."]
    assert response.redirect_chain[-1][0] == f"/assets/software/{product.pk}/edit"
    assert SoftwareProduct.objects.filter(pk=product.pk).exists()


def test_everyone_but_administrators_of_its_tenant_gets_404(world):
    product = make_product(world.admin, "Tool")
    urls = [
        "/assets/software/new",
        f"/assets/software/{product.pk}/edit",
        f"/assets/software/{product.pk}/delete",
    ]
    for user in (world.agent, world.requester, world.outsider_agent):
        client = _client(user)
        for url in urls:
            assert client.post(url, {"vendor": "V", "name": "N"}).status_code == 404, (user, url)
            if not url.endswith("delete"):
                assert client.get(url).status_code == 404, (user, url)
    page = _client(world.agent).get("/assets/software/").content.decode()
    assert "Tool" in page and "/edit" not in page and "/assets/software/new" not in page
    assert SoftwareProduct.objects.get().name == "Tool"
