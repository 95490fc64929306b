"""History rows refuse UPDATE and DELETE (edc.append_only); post_migrate covers later tables."""
from django.db import migrations


def forwards(apps, schema_editor):
    from edc.append_only import install

    connection = schema_editor.connection
    tables = [t for t in connection.introspection.table_names() if "_historical" in t]
    install(tables, using=connection.alias)


def backwards(apps, schema_editor):
    from edc.append_only import FUNCTION

    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}() CASCADE")  # and its triggers


class Migration(migrations.Migration):

    dependencies = [
        ("edc", "0003_two_factor_reset"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
