"""A team's open items by next SLA breach: the agent queue reads 50 rows in index order."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("work", "0008_parent_index_where_set"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="workitem",
            index=models.Index(
                condition=models.Q(("state__in", ("new", "in_progress", "on_hold"))),
                fields=["assignment_group", "sla_next_breach_at", "id"],
                name="work_group_open_breach",
            ),
        ),
    ]
