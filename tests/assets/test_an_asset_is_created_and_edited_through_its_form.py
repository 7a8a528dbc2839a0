"""An agent records an asset from the list's button and edits it from its page, every field."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from serval.assets.models import Asset
from serval.core.models import JournalEvent
from tests.assets.conftest import make_ci
from tests.assets.form_posts import asset_form


def test_the_list_offers_the_form_and_the_form_records_the_asset(world, client):
    ci = make_ci(world.agent, "lap-01")
    client.force_login(world.agent)
    assert 'href="/assets/new"' in client.get("/assets/").content.decode()
    page = client.get("/assets/new")
    body = page.content.decode()
    assert page.status_code == 200 and "style=" not in body and "<script>" not in body
    assert f"lap-01 #{ci.pk}" in body and 'value="rita"' in body  # the datalists
    response = client.post(
        "/assets/new",
        asset_form(
            name="Laptop 1",
            asset_tag="T-1",
            serial="S-1",
            manufacturer="Lenovo",
            model="T14",
            vendor="Reseller",
            lifecycle_stage="operational",
            lifecycle_status="in_use",
            ci=f"lap-01 #{ci.pk}",
            assigned_to="rita",
            location="Paris",
            cost_centre="CC-9",
            cost="1200.50",
            purchase_order="PO-7",
            purchase_date="2026-01-10",
            warranty_end="2029-01-10",
            lease_end="2028-01-10",
        ),
    )
    asset = Asset.objects.get(name="Laptop 1")
    assert response.status_code == 302 and response["Location"] == f"/assets/{asset.pk}/"
    assert (asset.tenant, asset.ci, asset.assigned_to) == (world.tenant, ci, world.requester)
    assert (asset.lifecycle_stage, asset.lifecycle_status) == ("operational", "in_use")
    assert asset.cost == Decimal("1200.50") and asset.warranty_end == date(2029, 1, 10)
    assert (asset.asset_tag, asset.serial, asset.location) == ("T-1", "S-1", "Paris")
    verbs = JournalEvent.objects.filter(subject_type="asset", subject_id=asset.pk)
    assert list(verbs.values_list("verb", flat=True)) == ["created"]


def test_the_detail_page_offers_the_edit_form_which_saves_the_changes(world, client):
    ci = make_ci(world.agent, "lap-02")
    client.force_login(world.agent)
    client.post("/assets/new", asset_form(name="Laptop 2", ci=f"#{ci.pk}"))
    asset = Asset.objects.get(name="Laptop 2")
    assert f'href="/assets/{asset.pk}/edit"' in client.get(f"/assets/{asset.pk}/").content.decode()
    form = client.get(f"/assets/{asset.pk}/edit").content.decode()
    assert f'value="lap-02 #{ci.pk}"' in form and 'name="version" value="1"' in form
    response = client.post(
        f"/assets/{asset.pk}/edit",
        asset_form(
            name="Laptop 2b",
            kind="software",
            lifecycle_stage="missing",
            lifecycle_status="stolen",
            ci="",
            version="1",
        ),
    )
    assert response.status_code == 302
    asset.refresh_from_db()
    assert (asset.name, asset.kind, asset.lifecycle_status, asset.ci) == (
        "Laptop 2b",
        "software",
        "stolen",
        None,
    )
    assert asset.version == 2
    # The CI's history shows the link and the unlink.
    on_ci = JournalEvent.objects.filter(
        subject_type="ci", subject_id=ci.pk, verb__startswith="asset"
    )
    assert list(on_ci.order_by("seq").values_list("verb", flat=True)) == [
        "asset_linked",
        "asset_unlinked",
    ]
