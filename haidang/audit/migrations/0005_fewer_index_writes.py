"""Two index writes fewer per audit entry: the unit code index (no filter reads it; the auditor's unit
filter walks `audit_entry_unit`) and the unique index on `entry_hash` (the hash covers the id, and the
seals are what catch a changed hash). On SQLite dropping the column's UNIQUE rebuilds the table, which
drops its triggers, so they are installed again; on PostgreSQL that step only replaces them."""

from django.db import migrations, models


def install(apps, schema_editor):
    from haidang.audit.db import install_triggers

    install_triggers(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_seals")]

    operations = [
        migrations.RemoveIndex(model_name="auditentry", name="audit_entry_unit_code"),
        migrations.AlterField(model_name="auditentry", name="entry_hash", field=models.CharField(max_length=64)),
        migrations.RunPython(install, migrations.RunPython.noop),
    ]
