"""Seed the change policy and the risk questionnaire of DOMAIN.md §2.3 (answers 1 / 2 / 4)."""

from django.db import migrations


def forward(apps, schema_editor):
    from serval.changes.seed import seed

    seed(
        apps.get_model("changes", "ChangePolicy"),
        apps.get_model("changes", "RiskQuestion"),
        apps.get_model("changes", "RiskOption"),
    )


class Migration(migrations.Migration):
    dependencies = [("changes", "0001_initial")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
