from django.db import migrations


def guards_on(apps, schema_editor):
    from serval.core.journal import GUARD_SQL

    for sql in GUARD_SQL.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


def guards_off(apps, schema_editor):
    from serval.core.journal import UNGUARD_SQL

    for sql in UNGUARD_SQL.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


def root_tenant(apps, schema_editor):
    Tenant = apps.get_model("core", "Tenant")
    Sequence = apps.get_model("core", "Sequence")
    if not Tenant.objects.exists():
        root = Tenant.objects.create(name="Default", slug="default")
        Tenant.objects.filter(pk=root.pk).update(path=f"/{root.pk}/")
    Sequence.objects.get_or_create(name="INC", defaults={"value": 1000})


class Migration(migrations.Migration):
    dependencies = [("core", "0002_initial")]

    operations = [
        migrations.RunPython(guards_on, guards_off),
        migrations.RunPython(root_tenant, migrations.RunPython.noop),
    ]
