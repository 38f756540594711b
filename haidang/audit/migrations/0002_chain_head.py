"""The chain head's one row: no entries yet, so the first entry links to the genesis hash."""

from django.db import migrations

GENESIS_HASH = "0" * 64  # Frozen copy of haidang.audit.chain.GENESIS_HASH.


def create_head(apps, schema_editor):
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    AuditChainHead.objects.using(schema_editor.connection.alias).get_or_create(
        pk=1, defaults={"last_id": 0, "last_hash": GENESIS_HASH}
    )


def remove_head(apps, schema_editor):
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    AuditChainHead.objects.using(schema_editor.connection.alias).filter(pk=1, last_id=0).delete()


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(create_head, remove_head)]
