"""An agent edits a CI from its page (`/cmdb/cis/<id>/edit`): the form holds the version it was
read at, so a save after someone else's is refused and changes nothing; changing the class
re-validates the attributes against the new class. Requesters and other tenants get a 404.
"""

from __future__ import annotations

from django.test import Client

from serval.cmdb import actions
from serval.core.models import JournalEvent
from tests.cmdb.conftest import cls, make_ci


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _values(ci, **extra):
    return {
        "ci_class": ci.ci_class_id,
        "name": ci.name,
        "hostname": ci.hostname,
        "lifecycle_stage": ci.lifecycle_stage,
        "lifecycle_status": ci.lifecycle_status,
        "operational_status": ci.operational_status,
        "environment": ci.environment,
        "criticality": ci.criticality,
        "version": ci.version,
        **{f"attr_{k}": v for k, v in ci.attributes.items()},
        **extra,
    }


def test_the_form_is_filled_in_and_a_save_journals_the_changes(world):
    ci = make_ci(world.agent, "db-01", "db_instance", attributes={"engine": "postgresql"})
    client = _client(world.agent)
    page = client.get(f"/cmdb/cis/{ci.pk}/").content.decode()
    assert f'href="/cmdb/cis/{ci.pk}/edit"' in page and f'href="/cmdb/cis/{ci.pk}/delete"' in page
    form = client.get(f"/cmdb/cis/{ci.pk}/edit").content.decode()
    assert 'name="version" value="1"' in form and 'value="db-01"' in form
    assert '<option value="postgresql" selected>' in form
    response = client.post(
        f"/cmdb/cis/{ci.pk}/edit", _values(ci, name="db-erp-01", attr_port="5432")
    )
    assert response.status_code == 302
    ci.refresh_from_db()
    assert ci.name == "db-erp-01" and ci.attributes == {"engine": "postgresql", "port": 5432}
    assert ci.version == 2
    event = JournalEvent.objects.filter(subject_type="ci", subject_id=ci.pk, verb="updated").get()
    assert event.data["changes"]["name"] == ["db-01", "db-erp-01"]


def test_a_save_after_someone_elses_is_refused_and_changes_nothing(world):
    ci = make_ci(world.agent, "db-02", "db_instance")
    read = _values(ci, name="mine")
    actions.update_ci(actor=world.agent2, ci=ci, location="Basel")
    response = _client(world.agent).post(f"/cmdb/cis/{ci.pk}/edit", read)
    assert response.status_code == 200
    assert "Someone else saved this CI meanwhile; reload it and try again." in (
        response.content.decode()
    )
    ci.refresh_from_db()
    assert ci.name == "db-02" and ci.location == "Basel"


def test_changing_the_class_re_validates_the_attributes(world):
    klass = actions.create_class(
        actor=world.admin,
        tenant=world.tenant,
        name="appliance",
        label="Appliance",
        parent=cls("hardware"),
        schema=[{"name": "rack", "type": "string", "required": True}],
    )
    ci = make_ci(world.agent, "box-1", "db_instance", attributes={"engine": "postgresql"})
    client = _client(world.agent)
    refreshed = client.post(
        f"/cmdb/cis/{ci.pk}/edit", {**_values(ci, ci_class=klass.pk), "refresh": "1"}
    ).content.decode()
    assert 'name="attr_rack"' in refreshed and 'name="attr_engine"' not in refreshed
    refused = client.post(f"/cmdb/cis/{ci.pk}/edit", _values(ci, ci_class=klass.pk))
    assert 'id="id_attr_rack_errors">This field is required.' in refused.content.decode()
    ci.refresh_from_db()
    assert ci.ci_class.name == "db_instance"
    client.post(f"/cmdb/cis/{ci.pk}/edit", _values(ci, ci_class=klass.pk, attr_rack="R1"))
    ci.refresh_from_db()
    assert ci.ci_class == klass and ci.attributes == {"rack": "R1"}  # engine is not an Appliance's


def test_requesters_and_outsiders_get_404_on_new_and_edit(world):
    ci = make_ci(world.agent, "db-03", "db_instance")
    for user in (world.requester, world.outsider_agent):
        client = _client(user)
        assert client.get(f"/cmdb/cis/{ci.pk}/edit").status_code == 404
        assert client.post(f"/cmdb/cis/{ci.pk}/edit", _values(ci, name="x")).status_code == 404
    new = {"ci_class": cls("server").pk, "name": "sneaky", "lifecycle_stage": "operational"}
    for user in (world.requester, world.outsider_requester):
        client = _client(user)
        assert client.get("/cmdb/cis/new").status_code == 404
        assert client.post("/cmdb/cis/new", new).status_code == 404
    ci.refresh_from_db()
    assert ci.name == "db-03"
    assert "sneaky" not in {c.name for c in type(ci).objects.all()}
