# A province's scope is read on the stored placement (access.scope: placed_province IN (...)), so a
# case with a unit but no stored placement (written in bulk without places.placing.fill_placement)
# would be hidden from its province. Fill every such row; a unit placed at the nation keeps NULLs.

from django.db import migrations

from haidang.places.migrations._placement import fill_placement


def fill_missing_placement(apps, schema_editor):
    """Cases with a unit and no stored placement."""
    fill_placement(apps, "cases", "Case", only_missing=True)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0013_waiting_assigned_index"),
        ("places", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(fill_missing_placement, migrations.RunPython.noop),
    ]
