"""DOMAIN.md §2.7 impact propagation refined: severity rolls up as the maximum of the children,
a cluster is hit only when at least the threshold (seed 50 %) of its members are, and CIs in
maintenance are skipped — on the API, the CI page and an incident's impacted services."""

from __future__ import annotations

from django.test import Client

from serval.cmdb import actions, impact, worklinks
from serval.cmdb.models import ImpactedService
from serval.services import actions as services
from tests import factories as f
from tests.cmdb.conftest import make_ci, relate


def _cluster(world, members: int):
    cluster = make_ci(world.agent, "esx-cluster", "server")
    hosts = [make_ci(world.agent, f"esx-{i}") for i in range(members)]
    for host in hosts:
        relate(world.agent, cluster, "members", host)
    app = make_ci(world.agent, "erp-app", "business_application")
    relate(world.agent, app, "runs_on", cluster)
    erp = services.create_service(actor=world.manager, name="ERP", status="live")
    actions.link_service(actor=world.agent, service=erp, ci=app)
    return cluster, hosts, app, erp


def test_one_host_of_four_does_not_take_the_cluster_down(world):
    cluster, hosts, app, _erp = _cluster(world, 4)
    result = impact.walk([hosts[0].pk])
    assert result.cis == [] and result.services == []
    assert result.held == [impact.HeldCluster(cluster.pk, 1, 4)]
    both = impact.walk([hosts[0].pk, hosts[1].pk])  # 2 of 4 = 50 %: the cluster gives way
    assert [h.id for h in both.cis] == [cluster.pk, app.pk]
    assert both.cis[0].path == (("ci", hosts[0].pk), ("ci", cluster.pk))
    assert [h.depth for h in both.services] == [3] and both.held == []


def test_the_threshold_is_a_setting(world, settings):
    _cluster_ci, hosts, _app, _erp = _cluster(world, 4)
    settings.IMPACT_CLUSTER_THRESHOLD = 25
    assert len(impact.walk([hosts[0].pk]).services) == 1


def test_severity_is_the_highest_of_the_children(world):
    db = make_ci(world.agent, "db", "db_instance", operational_status="degraded")
    cache = make_ci(world.agent, "cache", "db_instance")
    app = make_ci(world.agent, "app", "business_application")
    relate(world.agent, app, "depends_on", db)
    relate(world.agent, app, "depends_on", cache)
    degraded_only = impact.walk([db.pk])
    assert degraded_only.cis[0].severity_name == "major"  # degraded start: major
    both = impact.walk([db.pk, cache.pk])
    assert both.cis[0].severity_name == "critical"  # max of major and critical
    told = impact.walk([cache.pk], severities={cache.pk: impact.MINOR})
    assert told.cis[0].severity_name == "minor"


def test_a_cluster_takes_the_severity_enough_of_its_members_have(world):
    cluster, hosts, _app, _erp = _cluster(world, 4)
    result = impact.walk(
        [h.pk for h in hosts[:2]],
        severities={hosts[0].pk: impact.CRITICAL, hosts[1].pk: impact.MINOR},
    )
    hop = next(h for h in result.cis if h.id == cluster.pk)
    assert hop.severity_name == "minor"  # only 25 % are critical; 50 % are at least minor


def test_cis_in_maintenance_neither_start_nor_pass_impact(world):
    server = make_ci(world.agent, "srv")
    db = make_ci(world.agent, "db", "db_instance", operational_status="in_maintenance")
    app = make_ci(world.agent, "app", "business_application")
    relate(world.agent, db, "runs_on", server)
    relate(world.agent, app, "depends_on", db)
    result = impact.walk([server.pk])
    assert result.cis == [] and result.skipped == [db.pk]
    assert impact.walk([db.pk]).cis == []
    assert [h.id for h in impact.walk([server.pk], rules=False).cis] == [db.pk, app.pk]
    assert impact.maintenance_ci_ids([server.pk, db.pk, app.pk]) == {db.pk}


def test_the_api_reports_severity_held_clusters_and_skipped_cis(world, api_as):
    _cluster_ci, hosts, _app, _erp = _cluster(world, 3)
    actions.update_ci(actor=world.agent, ci=hosts[2], operational_status="in_maintenance")
    client = api_as(world.agent)
    body = client.get(f"cmdb/cis/{hosts[0].pk}/impact").json()
    assert body["cis"] == [] and body["cluster_threshold"] == 50
    assert body["held_clusters"] == [
        {"id": _cluster_ci.pk, "name": "esx-cluster", "impacted_members": 1, "members": 3}
    ]
    both = client.post(
        "cmdb/impact", {"cis": [hosts[0].pk, hosts[1].pk], "severity": "major"}
    ).json()
    assert [s["severity"] for s in both["services"]] == ["major"]
    assert both["cis"][0]["severity"] == "major"
    down = client.get(f"cmdb/cis/{hosts[2].pk}/impact").json()
    assert down["skipped_in_maintenance"] == [{"id": hosts[2].pk, "name": "esx-2"}]


def test_the_ci_page_shows_severity_and_the_cluster_that_holds(world):
    cluster, hosts, _app, _erp = _cluster(world, 4)
    client = Client()
    client.force_login(world.agent)
    html = client.get(f"/cmdb/cis/{hosts[0].pk}/").content.decode()
    assert "Clusters that hold" in html and "1 of 4 members hit, below 50 %" in html
    html = client.get(f"/cmdb/cis/{cluster.pk}/").content.decode()
    assert "Critical" in html and "ERP" in html


def test_an_incident_stores_the_severity_and_follows_maintenance(world):
    db = make_ci(world.agent, "db", "db_instance", operational_status="degraded")
    app = make_ci(world.agent, "app", "business_application")
    relate(world.agent, app, "depends_on", db)
    shop = services.create_service(actor=world.manager, name="Shop", status="live")
    actions.link_service(actor=world.agent, service=shop, ci=app)
    item = f.make_incident(world.requester)
    worklinks.link_ci(actor=world.agent, item=item, ci=db)
    row = ImpactedService.objects.get(work_item=item)
    assert row.severity == impact.MAJOR
    actions.update_ci(actor=world.agent, ci=app, operational_status="in_maintenance")
    worklinks.refresh_impacts.call([app.pk])  # what the enqueued task does
    assert not ImpactedService.objects.filter(work_item=item).exists()
