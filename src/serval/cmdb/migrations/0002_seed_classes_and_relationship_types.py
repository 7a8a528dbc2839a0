from django.db import migrations


def forwards(apps, schema_editor):
    from serval.cmdb.seed import seed

    seed(apps.get_model("cmdb", "CIClass"), apps.get_model("cmdb", "RelationshipType"))


class Migration(migrations.Migration):
    dependencies = [("cmdb", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
