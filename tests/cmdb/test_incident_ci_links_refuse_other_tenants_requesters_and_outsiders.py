"""Who may link what (DESIGN.md rules 2 and 8; SECURITY-REFERENCE A1 object access, A4).

- A CI must belong to the incident's own tenant: otherwise a field error, even for an agent
  who works in both tenants.
- An incident out of reach is 404 for every link endpoint, never 403.
- Requesters who see the incident may not link (403) nor list its CIs (CIs are agent data);
  they see its impacted services — only live ones — with paths reduced to service nodes.
"""

from __future__ import annotations

import pytest

from serval.cmdb import worklinks
from serval.core.errors import PermissionDenied, ValidationFailed
from serval.people.models import TenantGrant
from tests import factories as f
from tests.cmdb import incident_estate
from tests.cmdb.conftest import make_ci


def test_a_ci_of_another_tenant_is_a_field_error(world):
    foreign = make_ci(world.outsider_agent, "their-db", "db_instance")
    inc = f.make_incident(world.agent)
    with pytest.raises(ValidationFailed) as exc:
        worklinks.link_ci(actor=world.agent, item=inc, ci=foreign)
    assert "ci" in exc.value.as_dict()


def test_through_the_api_a_foreign_ci_is_a_field_error_visible_or_not(world, api_as):
    foreign = make_ci(world.outsider_agent, "their-db", "db_instance")
    inc = f.make_incident(world.agent)
    api = api_as(world.agent)
    invisible = api.post(f"incidents/{inc.number}/cis", {"ci": foreign.pk})
    assert invisible.status_code == 422
    assert invisible.json()["errors"] == [{"field": "ci", "message": "Unknown CI."}]
    TenantGrant.objects.create(user=world.agent, tenant=world.other_tenant)
    response = api.post(f"incidents/{inc.number}/cis", {"ci": foreign.pk})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "ci"


def test_outsiders_get_404_everywhere(world, api_as):
    e = incident_estate.build(world)
    inc = f.make_incident(world.agent)
    worklinks.link_ci(actor=world.agent, item=inc, ci=e.db)
    api = api_as(world.outsider_agent)
    n = inc.number
    assert api.get(f"incidents/{n}/cis").status_code == 404
    assert api.post(f"incidents/{n}/cis", {"ci": e.db.pk}).status_code == 404
    assert api.delete(f"incidents/{n}/cis/{e.db.pk}").status_code == 404
    assert api.get(f"incidents/{n}/services").status_code == 404
    assert api.post(f"incidents/{n}/services", {"service": e.erp.pk}).status_code == 404
    assert api.delete(f"incidents/{n}/services/{e.erp.pk}").status_code == 404
    assert api.get(f"incidents/{n}/impact").status_code == 404


def test_requesters_cannot_link_nor_list_cis(world, api_as):
    e = incident_estate.build(world)
    inc = f.make_incident(world.requester)
    api = api_as(world.requester)
    n = inc.number
    assert api.get(f"incidents/{n}/cis").status_code == 403
    assert api.post(f"incidents/{n}/cis", {"ci": e.db.pk}).status_code == 403
    assert api.delete(f"incidents/{n}/cis/{e.db.pk}").status_code == 403
    assert api.post(f"incidents/{n}/services", {"service": e.erp.pk}).status_code == 403
    with pytest.raises(PermissionDenied):
        worklinks.link_ci(actor=world.requester, item=inc, ci=e.db)


def test_requesters_see_live_impacted_services_without_ci_internals(world, api_as, client):
    e = incident_estate.build(world)
    inc = f.make_incident(world.requester)
    worklinks.link_ci(actor=world.agent, item=inc, ci=e.db)
    body = api_as(world.requester).get(f"incidents/{inc.number}/impact").json()
    names = {s["name"] for s in body["services"]}
    assert names == {"ERP", "Payroll", "Payroll Gold"}  # not the pipeline service "Lab"
    for service in body["services"]:
        assert service["via_ci"] is None
        assert all(node["kind"] == "service" for node in service["path"])
    detail = api_as(world.requester).get(f"incidents/{inc.number}").json()
    assert {s["name"] for s in detail["impacted_services"]} == names
    client.force_login(world.requester)
    page = client.get(f"/incidents/{inc.number}/").content.decode()
    assert "ERP" in page and "Payroll Gold" in page
    assert "db-erp-01" not in page and "app-erp-01" not in page and "Lab" not in page


def test_agents_may_not_change_links_of_a_closed_incident(world):
    e = incident_estate.build(world)
    inc = f.make_incident(world.agent)
    from serval.incidents import actions as incidents

    incidents.transition_incident(actor=world.agent, item=inc, to="cancelled", cancel_reason="Dup")
    inc.refresh_from_db()
    with pytest.raises(PermissionDenied):
        worklinks.link_ci(actor=world.agent, item=inc, ci=e.db)
    worklinks.link_ci(actor=world.admin, item=inc, ci=e.db)  # administrators still may
