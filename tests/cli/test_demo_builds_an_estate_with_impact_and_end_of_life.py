"""`serval demo` builds a small estate through the actions, so the portfolio, the CMDB, incident
impact and the EOL report are not empty for a new user (DOMAIN.md §2.7, §2.8)."""

from __future__ import annotations

import io

from django.core.management import call_command

from serval.assets import compliance, eol
from serval.assets.models import Asset, Contract, Licence
from serval.cmdb.models import CI, CIRelationship, ImpactedService, ServiceCI
from serval.core import journal
from serval.people.models import User
from serval.services.models import Service


def test_demo_has_services_cis_impact_and_every_eol_horizon(db):
    out = io.StringIO()
    call_command("demo", "--no-progress", stdout=out)
    assert "services" in out.getvalue() and "configuration items" in out.getvalue()

    assert {"E-mail", "ERP", "Payroll", "Public website", "Wi-Fi"} <= set(
        Service.objects.values_list("name", flat=True)
    )
    assert Service.objects.filter(owner__isnull=False, support_team__isnull=False).count() >= 5
    assert CI.objects.count() >= 12
    assert CIRelationship.objects.filter(type__name="runs_on").exists()
    assert CIRelationship.objects.filter(type__name="depends_on").exists()
    assert ServiceCI.objects.filter(service__name="ERP").exists()

    erp_hit = ImpactedService.objects.filter(
        work_item__title="ERP posting job stuck", service__name="ERP"
    )
    assert erp_hit.exists() and erp_hit.get().depth > 0
    assert ImpactedService.objects.filter(
        work_item__title="Payroll export fails with timeout", service__name="Payroll"
    ).exists()

    assert Asset.objects.filter(ci__isnull=False).count() >= 3
    licence = Licence.objects.get(metric="device")
    position = compliance.positions([compliance.pool_of(licence)])[compliance.pool_of(licence)]
    assert (position.entitlements, position.consumption) == (2, 3) and not position.compliant
    assert Contract.objects.filter(type="support", covered_assets__isnull=False).exists()

    report = eol.report(User.objects.get(username="admin"), within=365)
    assert report.counts["past"] >= 1
    assert report.counts["90"] >= 1
    assert report.counts["180"] > report.counts["90"]
    assert report.groups
    assert list(journal.verify()) == []
