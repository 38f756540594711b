"""The keyed hashes a suspect is found by (name, document), worked out for the suspects already recorded."""

from django.db import migrations, models

from haidang.cases.matching import document_key, name_key


def fill_keys(apps, schema_editor):
    Suspect = apps.get_model("proceedings", "Suspect")
    for suspect in Suspect.objects.only("pk", "full_name", "document_number").iterator(chunk_size=500):
        Suspect.objects.filter(pk=suspect.pk).update(
            name_key=name_key(suspect.full_name or ""), document_hash=document_key(suspect.document_number or "")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("proceedings", "0002_version"),
    ]

    operations = [
        migrations.AddField(
            model_name="suspect",
            name="document_hash",
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="suspect",
            name="name_key",
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=64),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
    ]
