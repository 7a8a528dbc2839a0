"""An agent creates a CI from a form (`/cmdb/cis/new`): class, name, identifiers, statuses,
ownership and the class attributes as typed fields generated from the class's schema.

Choosing a class re-renders the form with its attributes (htmx, or a POST with `refresh`
without JavaScript) and saves nothing; a missing required attribute, a wrong type or an
identifier another CI has re-renders the form with the messages and writes nothing.
"""

from __future__ import annotations

from django.test import Client

from serval.cmdb import actions
from serval.cmdb.models import CI
from serval.core.models import JournalEvent
from tests.cmdb.conftest import cls, make_ci


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _laptop(world):
    return actions.create_class(
        actor=world.admin,
        tenant=world.tenant,
        name="laptop",
        label="Laptop",
        parent=cls("computer"),
        schema=[
            {"name": "asset_tag", "type": "string", "required": True, "label": "Asset tag"},
            {"name": "ram_gb", "type": "int"},
            {"name": "encrypted", "type": "bool"},
            {"name": "bought", "type": "date"},
            {"name": "grade", "type": "choice", "choices": ["a", "b"]},
        ],
    )


def _form(klass, **extra):
    return {
        "ci_class": klass.pk,
        "name": "lt-0042",
        "lifecycle_stage": "operational",
        "lifecycle_status": "",
        "operational_status": "operational",
        "environment": "production",
        "criticality": "medium",
        **extra,
    }


def test_choosing_a_class_shows_its_attributes_and_saves_nothing(world):
    laptop = _laptop(world)
    client = _client(world.agent)
    page = client.get("/cmdb/cis/").content.decode()
    assert 'href="/cmdb/cis/new"' in page
    blank = client.get("/cmdb/cis/new").content.decode()
    assert "Choose a class to fill in its attributes." in blank
    assert 'hx-trigger="change from:#id_ci_class"' in blank and "<noscript>" in blank
    refreshed = client.post("/cmdb/cis/new", {**_form(laptop), "refresh": "1"}).content.decode()
    assert "Attributes of Laptop" in refreshed
    assert 'name="attr_asset_tag"' in refreshed and 'name="attr_bought"' in refreshed
    assert 'type="date"' in refreshed and 'value="lt-0042"' in refreshed
    assert "This field is required." not in refreshed  # a refresh is not a save
    assert not CI.objects.exists()


def test_a_valid_form_creates_the_ci_with_typed_attributes_and_journals_it(world):
    laptop = _laptop(world)
    response = _client(world.agent).post(
        "/cmdb/cis/new",
        _form(
            laptop,
            hostname="LT-0042.",
            serial="SN-1",
            owner=world.agent.pk,
            support_team=world.team.pk,
            vendor="Lenovo",
            product_version="T14",
            location="Basel",
            attr_asset_tag="A-42",
            attr_ram_gb="32",
            attr_encrypted="true",
            attr_bought="2025-03-01",
            attr_grade="a",
        ),
    )
    ci = CI.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cmdb/cis/{ci.pk}/"
    assert ci.ci_class == laptop and ci.tenant == world.tenant
    assert (
        ci.hostname == "lt-0042"
        and ci.serial == "SN-1"
        and ci.lifecycle_status == "pending_fulfilment"
    )
    # left empty: the stage's first status
    assert ci.owner == world.agent and ci.support_team == world.team and ci.vendor == "Lenovo"
    assert ci.attributes == {
        "asset_tag": "A-42",
        "ram_gb": 32,
        "encrypted": True,
        "bought": "2025-03-01",
        "grade": "a",
    }
    assert JournalEvent.objects.filter(subject_type="ci", subject_id=ci.pk, verb="created").exists()


def test_a_missing_required_attribute_or_a_wrong_type_writes_nothing(world):
    laptop = _laptop(world)
    client = _client(world.agent)
    missing = client.post("/cmdb/cis/new", _form(laptop, attr_ram_gb="32"))
    assert missing.status_code == 200
    html = missing.content.decode()
    assert 'id="id_attr_asset_tag_errors">This field is required.' in html
    assert 'name="attr_ram_gb" value="32"' in html  # what was typed stays
    wrong = client.post(
        "/cmdb/cis/new",
        _form(laptop, attr_asset_tag="A-1", attr_ram_gb="lots", attr_grade="z", attr_bought="x"),
    ).content.decode()
    assert 'id="id_attr_ram_gb_errors">Enter a whole number.' in wrong
    assert 'id="id_attr_grade_errors">Select a valid choice.' in wrong
    assert 'id="id_attr_bought_errors">Enter a valid date.' in wrong
    assert not CI.objects.exists()


def test_an_identifier_another_ci_has_is_refused_on_its_field(world):
    other = make_ci(world.agent, "db-01", "server", hostname="db-01")
    response = _client(world.agent).post(
        "/cmdb/cis/new", _form(cls("server"), name="db-again", hostname="DB-01")
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="id_hostname_errors">db-01 (CI {other.pk}) already has this host name.' in html
    assert CI.objects.count() == 1


def test_a_status_outside_the_stage_is_refused_by_the_action(world):
    response = _client(world.agent).post(
        "/cmdb/cis/new",
        _form(cls("server"), lifecycle_stage="missing", lifecycle_status="in_use"),
    )
    assert 'id="id_lifecycle_status_errors">In stage missing: one of lost, stolen.' in (
        response.content.decode()
    )
    assert not CI.objects.exists()
