"""Audit without a global lock: sealed batches replace the single chain-head row.

Entries are now numbered by the table's own sequence (PostgreSQL: moved past the ids written so
far) and chained afterwards by the sealer (`haidang/audit/sealing.py`). The chain head and its
triggers go; the seal table gets the same append-only triggers as the entries. The entries
already written keep their one-by-one links and are sealed by the first sealer run.
"""

from django.db import migrations, models


def remove_triggers(apps, schema_editor):
    from haidang.audit.db import remove_triggers

    remove_triggers(schema_editor.connection)


def install_triggers(apps, schema_editor):
    from haidang.audit.db import install_triggers

    connection = schema_editor.connection
    install_triggers(connection)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('audit_entry', 'id'), "
                "GREATEST((SELECT COALESCE(MAX(id), 0) FROM audit_entry), 1), "
                "(SELECT COUNT(*) > 0 FROM audit_entry))"
            )


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0003_append_only_triggers'),
    ]

    operations = [
        migrations.RunPython(remove_triggers, install_triggers),
        migrations.CreateModel(
            name='AuditSeal',
            fields=[
                ('seq', models.BigIntegerField(primary_key=True, serialize=False)),
                ('first_id', models.BigIntegerField()),
                ('last_id', models.BigIntegerField(unique=True)),
                ('entry_count', models.IntegerField()),
                ('absent', models.JSONField(blank=True, default=list)),
                ('leaves', models.BinaryField()),
                ('merkle_root', models.CharField(max_length=64)),
                ('prev_hash', models.CharField(max_length=64)),
                ('seal_hash', models.CharField(max_length=64, unique=True)),
                ('sealed_at', models.DateTimeField()),
                ('signature', models.CharField(max_length=128)),
                ('public_key', models.CharField(max_length=64)),
            ],
            options={
                'db_table': 'audit_seal',
                'ordering': ['seq'],
            },
        ),
        migrations.DeleteModel(
            name='AuditChainHead',
        ),
        migrations.RunPython(install_triggers, remove_triggers),
    ]
