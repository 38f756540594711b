"""Database triggers that refuse UPDATE, DELETE and TRUNCATE of audit entries.

The SQL lives in haidang.audit.db (shared with the test helpers); it branches on the database
vendor (SQLite or PostgreSQL) and reads the entry table's columns when it runs.
"""

from django.db import migrations


def install(apps, schema_editor):
    from haidang.audit.db import install_triggers

    install_triggers(schema_editor.connection)


def remove(apps, schema_editor):
    from haidang.audit.db import remove_triggers

    remove_triggers(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_chain_head")]

    operations = [migrations.RunPython(install, remove)]
