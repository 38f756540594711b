# A province's scope is read on the stored placement (access.scope: placed_province IN (...)), so a
# case with a unit but no stored placement (written in bulk without places.placing.fill_placement)
# would be hidden from its province. Fill every such row; a unit placed at the nation keeps NULLs.

from django.db import migrations
from django.db.models import Case, F, IntegerField, OuterRef, Subquery, When

PROVINCE, COMMUNE = 1, 3


def fill_missing_placement(apps, schema_editor):
    # Copied from places.placing (a migration must not import app code that may change).
    unit = apps.get_model("places", "AdministrativeUnit")
    placement = unit.objects.filter(pk=OuterRef("unit_id"))
    province = Case(
        When(placement__level=PROVINCE, then=F("placement_id")),
        When(placement__level=COMMUNE, then=F("placement__parent_id")),
        default=None,
        output_field=IntegerField(),
    )
    commune = Case(When(placement__level=COMMUNE, then=F("placement_id")), default=None, output_field=IntegerField())
    apps.get_model("cases", "Case").objects.filter(
        unit__isnull=False, placed_province__isnull=True, placed_commune__isnull=True
    ).update(
        placed_province_id=Subquery(placement.annotate(_p=province).values("_p")[:1]),
        placed_commune_id=Subquery(placement.annotate(_c=commune).values("_c")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0013_waiting_assigned_index"),
        ("places", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(fill_missing_placement, migrations.RunPython.noop),
    ]
