"""A team's open items by priority: the agent queue reads 50 rows in index order.

Without it PostgreSQL answered `assignment_group=… & state=open & ordering=priority` at a
million items by AND-ing the group's bitmap with the whole tenant's (500,000 rows), ~100 ms.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("work", "0005_tenant_recent_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="workitem",
            index=models.Index(
                condition=models.Q(("state__in", ("new", "in_progress", "on_hold"))),
                fields=["assignment_group", "priority", "id"],
                name="work_group_open_prio",
            ),
        ),
    ]
