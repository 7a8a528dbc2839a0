"""Seed the change authorities of DOMAIN.md §2.3 for the root tenant: the CAB and Emergency CAB
boards (no members yet: the change managers decide meanwhile) and four policies by type and
risk (`serval.approvals.seed`)."""

from django.db import migrations


def forward(apps, schema_editor):
    from serval.approvals.seed import seed

    seed(
        apps.get_model("core", "Tenant"),
        apps.get_model("approvals", "Board"),
        apps.get_model("approvals", "ApprovalPolicy"),
        apps.get_model("approvals", "PolicyStep"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("approvals", "0002_approvals_step_decision"),
        ("core", "0003_journal_guards_and_root_tenant"),
    ]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
