"""Impacted services of open incidents follow CMDB changes (DOMAIN.md §2.7; DESIGN.md §2 rule 4).

Adding or removing a dependency relationship or a service link, or deleting a CI, enqueues
`serval.cmdb.worklinks.refresh_impacts` in the same transaction; the task (run here through the
real django-tasks-db worker) recomputes the open items linked to CIs at or below the change.
It is idempotent: a second run changes nothing.
"""

from __future__ import annotations

from django_tasks_db.models import DBTaskResult

from serval.cmdb import actions, worklinks
from serval.cmdb.models import CIRelationship, ServiceCI, WorkItemCI
from serval.core.models import JournalEvent
from serval.incidents import actions as incidents
from serval.services import actions as services
from tests import factories as f
from tests.cmdb import incident_estate
from tests.cmdb.conftest import make_ci, relate
from tests.notifications.conftest import run_queue


def _names(item, user):
    return sorted(r.service.name for r in worklinks.impacted(item, user))


def _refreshes() -> int:
    return DBTaskResult.objects.filter(task_path=worklinks.refresh_impacts.module_path).count()


def test_a_new_dependency_above_the_linked_ci_adds_the_services_it_reaches(world):
    a = world.agent
    e = incident_estate.build(world)
    inc = f.make_incident(a)
    worklinks.link_ci(actor=a, item=inc, ci=e.host)
    web = make_ci(a, "web-01", "app_server")
    shop = services.create_service(actor=world.manager, name="Shop", status="live")
    actions.link_service(actor=a, service=shop, ci=web)
    run_queue()
    assert "Shop" not in _names(inc, a)
    rel = relate(a, web, "depends_on", e.app)
    run_queue()
    assert "Shop" in _names(inc, a)
    actions.delete_relationship(actor=a, relationship=rel)
    run_queue()
    assert "Shop" not in _names(inc, a)


def test_removing_the_middle_dependency_drops_the_service_above_it(world):
    a = world.agent
    e = incident_estate.build(world)
    inc = f.make_incident(a)
    worklinks.link_ci(actor=a, item=inc, ci=e.db)
    assert "ERP" in _names(inc, a)
    rel = CIRelationship.objects.get(parent=e.app, child=e.db)
    actions.delete_relationship(actor=a, relationship=rel)
    run_queue()
    assert "ERP" not in _names(inc, a)
    relate(a, e.app, "depends_on", e.db)
    run_queue()
    assert "ERP" in _names(inc, a)


def test_service_links_in_the_cmdb_are_followed(world):
    a = world.agent
    e = incident_estate.build(world)
    inc = f.make_incident(a)
    worklinks.link_ci(actor=a, item=inc, ci=e.host)
    actions.unlink_service(actor=a, link=ServiceCI.objects.get(service=e.erp, ci=e.app))
    run_queue()
    assert "ERP" not in _names(inc, a)
    actions.link_service(actor=a, service=e.erp, ci=e.db)  # two levels above the item's CI
    run_queue()
    rows = {r.service.name: r for r in worklinks.impacted(inc, a)}
    assert rows["ERP"].arrow_path == "ERP ← db-erp-01 ← host-01"


def test_deleting_a_linked_ci_unlinks_it_on_the_journal_and_refreshes(world):
    a = world.agent
    e = incident_estate.build(world)
    below = f.make_incident(a)
    worklinks.link_ci(actor=a, item=below, ci=e.db)
    on_it = f.make_incident(a)
    worklinks.link_ci(actor=a, item=on_it, ci=e.app)
    actions.delete_ci(actor=a, ci=e.app)
    run_queue()
    assert "ERP" not in _names(below, a)
    assert _names(on_it, a) == []
    assert not WorkItemCI.objects.filter(work_item=on_it).exists()
    event = JournalEvent.objects.filter(
        subject_type="work_item", subject_id=on_it.pk, verb="ci_unlinked"
    ).get()
    assert event.data == {"ci": e.app.pk, "name": "app-erp-01", "reason": "ci_deleted"}


def test_closed_items_keep_the_impact_they_closed_with(world):
    a = world.agent
    e = incident_estate.build(world)
    inc = f.make_incident(a)
    worklinks.link_ci(actor=a, item=inc, ci=e.db)
    inc.refresh_from_db()
    incidents.transition_incident(
        actor=a, item=inc, to="cancelled", cancel_reason="Duplicate of another call"
    )
    inc.refresh_from_db()
    assert not inc.active
    actions.delete_relationship(
        actor=a, relationship=CIRelationship.objects.get(parent=e.app, child=e.db)
    )
    run_queue()
    assert "ERP" in _names(inc, a)


def test_the_refresh_is_idempotent_and_skipped_for_non_dependencies(world):
    a = world.agent
    e = incident_estate.build(world)
    inc = f.make_incident(a)
    worklinks.link_ci(actor=a, item=inc, ci=e.db)
    before = _refreshes()
    switch = make_ci(a, "switch-1", "network_gear")
    relate(a, switch, "connects_to", e.host)  # not a dependency: impact does not travel on it
    assert _refreshes() == before
    rel = CIRelationship.objects.get(parent=e.app, child=e.db)
    actions.delete_relationship(actor=a, relationship=rel)
    assert _refreshes() == before + 1
    assert [r.return_value for r in run_queue()] == [1]
    assert worklinks.refresh_impacts.call([e.app.pk, e.db.pk]) == 0
