"""The placement fill that migrations of placed records run (the loader skips this module: its name
starts with "_"). Frozen: applied migrations call it, so its behaviour must never change; a new rule
gets a new function. It copies places.placing on purpose, since migrations must not import app code
that may change."""

from django.db.models import Case, F, IntegerField, OuterRef, Subquery, When

PROVINCE, COMMUNE = 1, 3


def fill_placement(apps, app_label: str, model_name: str, *, only_missing: bool = False) -> int:
    """Store on every row of the model (or only those with a unit and no placement) the province, and
    the commune, that its unit's placement gives on today's map; a unit placed at the nation gives NULLs."""
    placement = apps.get_model("places", "AdministrativeUnit").objects.filter(pk=OuterRef("unit_id"))
    province = Case(
        When(placement__level=PROVINCE, then=F("placement_id")),
        When(placement__level=COMMUNE, then=F("placement__parent_id")),
        default=None,
        output_field=IntegerField(),
    )
    commune = Case(When(placement__level=COMMUNE, then=F("placement_id")), default=None, output_field=IntegerField())
    rows = apps.get_model(app_label, model_name).objects.all()
    if only_missing:
        rows = rows.filter(unit__isnull=False, placed_province__isnull=True, placed_commune__isnull=True)
    return rows.update(
        placed_province_id=Subquery(placement.annotate(_p=province).values("_p")[:1]),
        placed_commune_id=Subquery(placement.annotate(_c=commune).values("_c")[:1]),
    )
