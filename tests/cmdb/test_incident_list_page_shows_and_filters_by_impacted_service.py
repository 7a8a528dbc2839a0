"""The desk's incident list shows each incident's impacted services and filters by one (issue 4,
issue 6): the same rule as the API's `?impacted_service=` — services the viewer may see only —
kept in saved views and in the CSV export's filters, flat in queries with the column.
"""

from __future__ import annotations

from serval.cmdb import worklinks
from serval.web.models import SavedView
from tests import factories as f
from tests.cmdb import incident_estate
from tests.web.conftest import signed_in  # noqa: F401  (fixture)


def _numbers(html: str, *items) -> set[str]:
    return {i.number for i in items if i.number in html}


def test_the_column_names_the_impacted_services_and_links_to_the_filter(world, signed_in):  # noqa: F811
    e = incident_estate.build(world)
    hit = f.make_incident(world.agent, title="ERP is slow")
    other = f.make_incident(world.agent, title="Printer jam")
    worklinks.link_ci(actor=world.agent, item=hit, ci=e.app)
    client = signed_in(world.agent)
    html = client.get("/incidents/").content.decode()
    assert "Impacted services" in html
    assert f'href="/incidents/?impacted_service={e.erp.pk}"' in html
    filtered = client.get(f"/incidents/?impacted_service={e.erp.pk}").content.decode()
    assert _numbers(filtered, hit, other) == {hit.number}
    assert "1 filter" in filtered
    assert f'<option value="{e.erp.pk}" selected>ERP</option>' in filtered
    payroll = client.get(f"/incidents/?impacted_service={e.payroll.pk}").content.decode()
    assert _numbers(payroll, hit, other) == set()


def test_requesters_see_and_filter_by_live_services_only(world, signed_in):  # noqa: F811
    e = incident_estate.build(world)
    theirs = f.make_incident(world.requester, title="My ERP screen is blank")
    worklinks.link_ci(actor=world.agent, item=theirs, ci=e.db)  # ERP, Payroll, Gold and Lab
    client = signed_in(world.requester)
    html = client.get("/incidents/").content.decode()
    assert ">ERP</a>" in html and ">Payroll</a>" in html
    assert "Lab" not in html  # a pipeline service: not for requesters, in the column or select
    assert _numbers(client.get(f"/incidents/?impacted_service={e.erp.pk}").content.decode(), theirs)
    # Filtering by a service they may not see finds nothing rather than confirming the link.
    lab = client.get(f"/incidents/?impacted_service={e.lab.pk}").content.decode()
    assert _numbers(lab, theirs) == set()
    agent = signed_in(world.agent).get(f"/incidents/?impacted_service={e.lab.pk}")
    assert _numbers(agent.content.decode(), theirs) == {theirs.number}


def test_saved_views_and_the_export_keep_the_filter(world, signed_in):  # noqa: F811
    e = incident_estate.build(world)
    hit = f.make_incident(world.agent, title="ERP is slow")
    f.make_incident(world.agent, title="Printer jam")
    worklinks.link_ci(actor=world.agent, item=hit, ci=e.app)
    client = signed_in(world.agent)
    client.post("/views/", {"name": "ERP", "querystring": f"impacted_service={e.erp.pk}&at_risk=1"})
    assert SavedView.objects.get().querystring == f"impacted_service={e.erp.pk}&at_risk=1"
    export = client.get(f"/incidents/export.csv?impacted_service={e.erp.pk}")
    body = b"".join(export.streaming_content).decode()
    assert "ERP is slow" in body and "Printer jam" not in body


def test_the_column_is_flat_in_queries(world, signed_in, django_assert_num_queries):  # noqa: F811
    e = incident_estate.build(world)
    for n in range(20):
        inc = f.make_incident(world.agent, title=f"Outage {n}")
        worklinks.link_ci(actor=world.agent, item=inc, ci=e.db if n % 2 else e.app)
    client = signed_in(world.agent)
    with django_assert_num_queries(7):  # as tests/web/test_incident_list_query_count_is_flat
        html = client.get("/incidents/", HTTP_HX_REQUEST="true").content.decode()
    assert html.count('class="text-reset">ERP</a>') == 20
