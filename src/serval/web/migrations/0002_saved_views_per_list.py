from django.db import migrations, models


class Migration(migrations.Migration):
    """Saved views belong to one list (incidents or changes); existing ones are incident views."""

    dependencies = [
        ("web", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="savedview",
            name="list_name",
            field=models.CharField(
                choices=[("incidents", "Incidents"), ("changes", "Changes")],
                default="incidents",
                max_length=20,
                verbose_name="list",
            ),
        ),
        migrations.RemoveConstraint(model_name="savedview", name="saved_view_unique_name"),
        migrations.AddConstraint(
            model_name="savedview",
            constraint=models.UniqueConstraint(
                fields=("user", "list_name", "name"), name="saved_view_unique_name_per_list"
            ),
        ),
    ]
