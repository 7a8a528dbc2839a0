from django.db import migrations


def setup(apps, schema_editor):
    from serval.core import search

    vendor = schema_editor.connection.vendor
    statements = {"sqlite": search.SQLITE_SETUP, "postgresql": search.POSTGRES_SETUP}
    for sql in statements.get(vendor, []):
        schema_editor.execute(sql)


def teardown(apps, schema_editor):
    from serval.core import search

    vendor = schema_editor.connection.vendor
    statements = {"sqlite": search.SQLITE_TEARDOWN, "postgresql": search.POSTGRES_TEARDOWN}
    for sql in statements.get(vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("work", "0001_initial")]

    operations = [migrations.RunPython(setup, teardown)]
