"""Work items of a tenant newest first, whatever their state: the API's default order and the
walk that finds a common word's newest matches without sorting them all (serval.core.search).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("work", "0004_open_recent_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="workitem",
            index=models.Index(
                fields=["tenant", "kind", "-opened_at", "-id"], name="work_tenant_recent"
            ),
        ),
    ]
