"""Where a record counts on today's map, stored with the record (statistics group on it).

A record names the unit valid on its date; its placement (the unit of today's map that holds it,
through the crosswalk) gives the province and, when the placement is a commune, the commune it
counts in. Records keep both as `placed_province` and `placed_commune`, so figures by province or
commune read the record alone instead of joining the whole map twice.

The map cannot change under records (`load_admin_map --reload` is refused once a record refers
to a unit), so a stored placement only changes with the record's unit: `placed_fields` when a
record is saved with its unit, `fill_placement` for rows written in bulk.
"""

from django.db import models
from django.db.models import Case, F, IntegerField, OuterRef, Subquery, When

from haidang.places.models import AdministrativeUnit, UnitLevel

PLACED_FIELDS = ("placed_province", "placed_commune")


def _placed(values) -> tuple[int | None, int | None]:
    placement, level, parent = values
    if level == UnitLevel.PROVINCE:
        return placement, None
    if level == UnitLevel.COMMUNE:
        return parent, placement
    return None, None


def placed_fields(unit_id: int | None) -> dict[str, int | None]:
    """{"placed_province_id": …, "placed_commune_id": …} for a record under `unit_id` (one query)."""
    found = None
    if unit_id is not None:
        found = (
            AdministrativeUnit.objects.filter(pk=unit_id)
            .values_list("placement_id", "placement__level", "placement__parent_id")
            .first()
        )
    province, commune = _placed(found) if found else (None, None)
    return {"placed_province_id": province, "placed_commune_id": commune}


def _placed_expression(unit_field: str, which: str):
    placement = AdministrativeUnit.objects.filter(pk=OuterRef(unit_field))
    if which == "province":
        value = Case(
            When(placement__level=UnitLevel.PROVINCE, then=F("placement_id")),
            When(placement__level=UnitLevel.COMMUNE, then=F("placement__parent_id")),
            default=None,
            output_field=IntegerField(),
        )
    else:
        value = Case(
            When(placement__level=UnitLevel.COMMUNE, then=F("placement_id")), default=None, output_field=IntegerField()
        )
    return Subquery(placement.annotate(_placed=value).values("_placed")[:1])


def fill_placement(queryset, unit_field: str = "unit_id") -> int:
    """Store the placement of every row of `queryset` (after a bulk insert or a bulk change of unit)
    in one UPDATE; returns the rows written."""
    return queryset.update(
        placed_province_id=_placed_expression(unit_field, "province"),
        placed_commune_id=_placed_expression(unit_field, "commune"),
    )


_UNKNOWN = object()


class PlacedRecord(models.Model):
    """A record with a `unit`, and its placement on today's map stored alongside (set on save)."""

    placed_province = models.ForeignKey(
        AdministrativeUnit, null=True, editable=False, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    placed_commune = models.ForeignKey(
        AdministrativeUnit, null=True, editable=False, on_delete=models.PROTECT, related_name="+", db_index=False
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        saves_unit = update_fields is None or "unit" in update_fields or "unit_id" in update_fields
        if saves_unit and getattr(self, "_placed_unit", _UNKNOWN) != self.unit_id:
            for name, value in placed_fields(self.unit_id).items():
                setattr(self, name, value)
            if update_fields is not None:
                kwargs["update_fields"] = [*update_fields, *PLACED_FIELDS]
        super().save(*args, **kwargs)
        self._placed_unit = self.unit_id

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        if "placed_province_id" in instance.__dict__ and "placed_commune_id" in instance.__dict__:
            instance._placed_unit = instance.__dict__.get("unit_id", _UNKNOWN)
        return instance
