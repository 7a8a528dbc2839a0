"""Issue 4 done-means: an incident linked to a failing database CI shows the services it hits.

DOMAIN.md §2.7: impact travels from the CI up dependency edges to the services realized by the
CIs it reaches (offerings roll up to their service). The item's impacted services are stored
with the linked CI they come from and the path, and recomputed in the same transaction whenever
the item's links change; each change is journaled on the item (DOMAIN.md §2, ISO 20000 8.2.6).
"""

from __future__ import annotations

import pytest

from serval.cmdb import worklinks
from serval.cmdb.models import ImpactedService
from serval.core.errors import ValidationFailed
from serval.core.models import JournalEvent
from tests import factories as f
from tests.cmdb import incident_estate
from tests.cmdb.conftest import make_ci


def _names(item, user):
    return [r.service.name for r in worklinks.impacted(item, user)]


def test_linking_the_database_shows_every_service_above_it_with_its_path(world):
    e = incident_estate.build(world)
    inc = f.make_incident(world.agent)
    worklinks.link_ci(actor=world.agent, item=inc, ci=e.db)
    rows = {r.service.name: r for r in worklinks.impacted(inc, world.agent)}
    assert set(rows) == {"ERP", "Payroll Gold", "Payroll", "Lab"}
    assert rows["ERP"].via_ci == e.db and rows["ERP"].depth == 2
    assert rows["ERP"].arrow_path == "ERP ← app-erp-01 ← db-erp-01"
    assert rows["Payroll"].arrow_path == "Payroll ← Payroll Gold ← db-erp-01"
    stored = ImpactedService.objects.get(work_item=inc, service=e.erp)
    assert stored.via_ci_id == e.db.pk
    assert stored.path == [["ci", e.db.pk], ["ci", e.app.pk], ["service", e.erp.pk]]


def test_unlinking_the_ci_clears_what_it_impacted(world):
    e = incident_estate.build(world)
    inc = f.make_incident(world.agent)
    worklinks.link_ci(actor=world.agent, item=inc, ci=e.db)
    worklinks.link_ci(actor=world.agent, item=inc, ci=e.app)
    worklinks.unlink_ci(actor=world.agent, item=inc, ci=e.db)
    assert _names(inc, world.agent) == ["ERP"]
    row = ImpactedService.objects.get(work_item=inc)
    assert row.via_ci_id == e.app.pk and row.depth == 1
    worklinks.unlink_ci(actor=world.agent, item=inc, ci=e.app)
    assert not ImpactedService.objects.filter(work_item=inc).exists()


def test_several_cis_are_walked_together_and_a_direct_service_counts_as_itself(world):
    e = incident_estate.build(world)
    inc = f.make_incident(world.agent)
    worklinks.link_ci(actor=world.agent, item=inc, ci=e.host)
    worklinks.link_ci(actor=world.agent, item=inc, ci=e.app)
    worklinks.link_service(actor=world.agent, item=inc, service=e.payroll)
    rows = {r.service.name: r for r in worklinks.impacted(inc, world.agent)}
    # ERP is one step above app-erp-01, nearer than through the host and the database.
    assert rows["ERP"].via_ci == e.app and rows["ERP"].depth == 1
    assert rows["Payroll"].direct and rows["Payroll"].via_ci is None
    assert rows["Payroll Gold"].via_ci == e.host
    worklinks.unlink_service(actor=world.agent, item=inc, service=e.payroll)
    rows = {r.service.name: r for r in worklinks.impacted(inc, world.agent)}
    assert not rows["Payroll"].direct and rows["Payroll"].depth == 3


def test_a_ci_without_dependants_impacts_nothing(world):
    lonely = make_ci(world.agent, "printer-7", "server")
    inc = f.make_incident(world.agent)
    worklinks.link_ci(actor=world.agent, item=inc, ci=lonely)
    assert worklinks.impacted(inc, world.agent) == []


def test_each_link_change_is_journaled_on_the_item_and_bumps_its_version(world):
    e = incident_estate.build(world)
    inc = f.make_incident(world.agent)
    version = inc.version
    worklinks.link_ci(actor=world.agent, item=inc, ci=e.db)
    worklinks.unlink_ci(actor=world.agent, item=inc, ci=e.db)
    worklinks.link_service(actor=world.agent, item=inc, service=e.erp)
    worklinks.unlink_service(actor=world.agent, item=inc, service=e.erp)
    events = JournalEvent.objects.filter(subject_type="work_item", subject_id=inc.pk)
    linked = list(events.exclude(verb__in=["created"]).order_by("seq").values_list("verb", "data"))
    assert [v for v, _ in linked if not v.startswith("sla_")] == [
        "ci_linked",
        "ci_unlinked",
        "service_linked",
        "service_unlinked",
    ]
    assert ("ci_linked", {"ci": e.db.pk, "name": "db-erp-01"}) in linked
    assert all(e.internal for e in events.filter(verb__endswith="linked"))
    inc.refresh_from_db()
    assert inc.version == version + 4


def test_a_refused_link_writes_nothing(world):
    e = incident_estate.build(world)
    inc = f.make_incident(world.agent)
    worklinks.link_ci(actor=world.agent, item=inc, ci=e.db)
    before = JournalEvent.objects.count(), ImpactedService.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        worklinks.link_ci(actor=world.agent, item=inc, ci=e.db)
    assert "ci" in exc.value.as_dict()
    assert (JournalEvent.objects.count(), ImpactedService.objects.count()) == before
