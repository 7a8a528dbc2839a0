"""An agent records a contract from the contracts page, with the assets it covers, and edits it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from serval.assets import actions
from serval.assets.models import Contract
from serval.core.models import JournalEvent
from tests.assets.form_posts import contract_form, errors_of


def test_a_contract_is_recorded_and_edited_through_its_form(world, client):
    a = actions.create_asset(actor=world.agent, name="Server A", asset_tag="A-1")
    b = actions.create_asset(actor=world.agent, name="Server B")
    client.force_login(world.agent)
    assert 'href="/assets/contracts/new"' in client.get("/assets/contracts/").content.decode()
    page = client.get("/assets/contracts/new").content.decode()
    assert "Server A (A-1)" in page and "style=" not in page
    response = client.post(
        "/assets/contracts/new",
        contract_form(
            name="HW support 2026",
            type="maintenance",
            vendor="Dell",
            start_date="2026-01-01",
            end_date="2028-12-31",
            renewal_notice_days="90",
            cost="5000",
            covered_assets=[str(a.pk), str(b.pk)],
            description="Next business day",
        ),
    )
    assert response.status_code == 302 and response["Location"] == "/assets/contracts/"
    contract = Contract.objects.get()
    assert (contract.type, contract.vendor, contract.renewal_notice_days) == (
        "maintenance",
        "Dell",
        90,
    )
    assert contract.cost == Decimal("5000") and contract.end_date == date(2028, 12, 31)
    assert set(contract.covered_assets.all()) == {a, b}
    listing = client.get("/assets/contracts/").content.decode()
    assert f'href="/assets/contracts/{contract.pk}/edit"' in listing

    form = client.get(f"/assets/contracts/{contract.pk}/edit").content.decode()
    assert f'value="{a.pk}" selected' in form
    response = client.post(
        f"/assets/contracts/{contract.pk}/edit",
        contract_form(
            name="HW support 2026",
            type="maintenance",
            vendor="Dell",
            end_date="2029-06-30",
            covered_assets=[str(b.pk)],
            version="1",
        ),
    )
    assert response.status_code == 302
    contract.refresh_from_db()
    assert list(contract.covered_assets.all()) == [b] and contract.version == 2
    changes = JournalEvent.objects.get(subject_type="contract", verb="updated").data["changes"]
    assert changes["covered_assets"] == [sorted([a.pk, b.pk]), [b.pk]]


def test_an_end_before_the_start_or_another_tenants_asset_is_refused(world, client):
    theirs = actions.create_asset(actor=world.outsider_agent, name="Theirs")
    client.force_login(world.agent)
    response = client.post(
        "/assets/contracts/new",
        contract_form(name="C", vendor="V", start_date="2026-05-01", end_date="2026-04-01"),
    )
    assert list(errors_of(response)) == ["end_date"]
    response = client.post(
        "/assets/contracts/new",
        contract_form(name="C", vendor="V", covered_assets=[str(theirs.pk)]),
    )
    assert "covered_assets" in errors_of(response)
    assert not Contract.objects.exists()
