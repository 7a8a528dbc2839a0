"""Seed the office-hours calendar and the P1–P5 response/resolution targets (DOMAIN.md §2.1)."""

from django.db import migrations


def forward(apps, schema_editor):
    from serval.sla.seed import seed

    Tenant = apps.get_model("core", "Tenant")
    tenant = Tenant.objects.filter(parent=None).order_by("pk").first()
    if tenant is None:
        return
    seed(tenant, apps.get_model("sla", "BusinessCalendar"), apps.get_model("sla", "SlaDefinition"))


class Migration(migrations.Migration):
    dependencies = [
        ("sla", "0001_initial"),
        ("core", "0003_journal_guards_and_root_tenant"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
