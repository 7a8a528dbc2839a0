"""The incident page's "Affected CIs & impacted services" card (issue 4; DOMAIN.md §2.7).

Agents see the linked CIs (linking to the CI pages), add one from a select of the tenant's CIs
(or by name / identifier when there are more than 200), remove it, and see each impacted service
with its path "ERP ← app-erp-01 ← db-erp-01". No inline script or style (SECURITY-REFERENCE
CSP). The page stays within its query budget (STYLE rule 14).
"""

from __future__ import annotations

import re

from serval.cmdb import worklinks
from serval.cmdb.models import WorkItemCI, WorkItemService
from tests import factories as f
from tests.cmdb import incident_estate
from tests.web.conftest import signed_in  # noqa: F401  (fixture)


def _card(html: str) -> str:
    match = re.search(r'<section class="card mb-3" id="impact".*?</section>', html, re.S)
    assert match, "the card is on the page"
    return match.group(0)


def test_agents_link_a_ci_see_the_paths_and_remove_it(world, signed_in):  # noqa: F811
    e = incident_estate.build(world)
    inc = f.make_incident(world.agent)
    client = signed_in(world.agent)
    url = f"/incidents/{inc.number}/"
    card = _card(client.get(url).content.decode())
    assert f'<option value="{e.db.pk}">db-erp-01</option>' in card
    response = client.post(f"{url}impact", {"op": "link_ci", "ci": str(e.db.pk)})
    assert response.status_code == 302 and response["Location"].endswith("#impact")
    card = _card(client.get(url).content.decode())
    assert f'href="/cmdb/cis/{e.db.pk}/"' in card
    assert "ERP ← app-erp-01 ← db-erp-01" in card
    assert "Payroll ← Payroll Gold ← db-erp-01" in card
    assert "style=" not in card and "<script" not in card
    client.post(f"{url}impact", {"op": "unlink_ci", "ci": str(e.db.pk)})
    assert not WorkItemCI.objects.filter(work_item=inc).exists()
    assert "ERP ←" not in _card(client.get(url).content.decode())


def test_a_ci_can_be_named_by_host_name_and_a_service_linked_directly(world, signed_in):  # noqa: F811
    e = incident_estate.build(world)
    from serval.cmdb import actions

    actions.update_ci(actor=world.agent, ci=e.app, hostname="app-erp-01.corp")
    inc = f.make_incident(world.agent)
    client = signed_in(world.agent)
    url = f"/incidents/{inc.number}/"
    client.post(f"{url}impact", {"op": "link_ci", "ci": "APP-ERP-01.corp"})
    assert list(WorkItemCI.objects.filter(work_item=inc).values_list("ci_id", flat=True)) == [
        e.app.pk
    ]
    client.post(f"{url}impact", {"op": "link_service", "service": str(e.payroll.pk)})
    assert WorkItemService.objects.filter(work_item=inc, service=e.payroll).exists()
    card = _card(client.get(url).content.decode())
    assert "Linked directly" in card
    response = client.post(f"{url}impact", {"op": "link_ci", "ci": "no-such-thing"}, follow=True)
    assert "No CI of this tenant has this name or identifier." in response.content.decode()


def test_requesters_cannot_post_links(world, signed_in):  # noqa: F811
    e = incident_estate.build(world)
    inc = f.make_incident(world.requester)
    client = signed_in(world.requester)
    client.post(f"/incidents/{inc.number}/impact", {"op": "link_ci", "ci": str(e.db.pk)})
    assert not WorkItemCI.objects.filter(work_item=inc).exists()
    outsider = signed_in(world.outsider_agent)
    response = outsider.post(f"/incidents/{inc.number}/impact", {"op": "link_ci", "ci": "1"})
    assert response.status_code == 404


def test_link_events_show_in_the_agents_timeline(world, signed_in):  # noqa: F811
    e = incident_estate.build(world)
    inc = f.make_incident(world.agent)
    worklinks.link_ci(actor=world.agent, item=inc, ci=e.db)
    html = signed_in(world.agent).get(f"/incidents/{inc.number}/").content.decode()
    assert "linked the CI db-erp-01" in html


def test_the_page_with_the_card_keeps_its_query_budget(
    world,
    signed_in,  # noqa: F811
    django_assert_max_num_queries,
):
    from serval.incidents import actions

    e = incident_estate.build(world)
    inc = f.make_incident(world.agent, assignment_group=world.team.pk)
    worklinks.link_ci(actor=world.agent, item=inc, ci=e.db)
    worklinks.link_ci(actor=world.agent, item=inc, ci=e.host)
    worklinks.link_service(actor=world.agent, item=inc, service=e.erp)
    for i in range(10):
        actions.comment_on_incident(actor=world.agent, item=inc, body=f"note {i}")
    client = signed_in(world.agent)
    # As many as without links (tests/web/test_incident_list_query_count_is_flat.py, the card's
    # four included): linked CIs, services and paths add rows, not queries.
    with django_assert_max_num_queries(19):
        assert client.get(f"/incidents/{inc.number}/").status_code == 200
