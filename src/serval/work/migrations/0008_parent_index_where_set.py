"""Index `parent` only where it is set (see WorkItem.Meta.indexes, work_parent).

The field's own index is dropped with plain SQL rather than by AlterField: on SQLite AlterField
rebuilds the table, which would drop the full-text triggers of 0002_search.
"""

import django.db.models.deletion
from django.db import migrations, models

FULL_INDEX = "work_workitem_parent_id_990bfe15"


class Migration(migrations.Migration):
    dependencies = [
        ("work", "0007_sla_summary"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="workitem",
                    name="parent",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="children",
                        to="work.workitem",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{FULL_INDEX}"',
                    f'CREATE INDEX "{FULL_INDEX}" ON "work_workitem" ("parent_id")',
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="workitem",
            index=models.Index(
                condition=models.Q(("parent__isnull", False)),
                fields=["parent"],
                name="work_parent",
            ),
        ),
    ]
