"""The administrative map through time.

Two maps are held side by side: the three-tier map (province, district, commune) valid until
30/06/2025 and the two-tier map (province, commune) valid from 01/07/2025. A code alone is not
unique across time (the new Hà Nội is province 01 like the old one), so a unit is found by its
code *and* a date. `UnitSuccession` is the crosswalk from each old unit to its new units.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from haidang.common.text import fold
from haidang.places.text import vietnamese_sort_key


class UnitLevel(models.IntegerChoices):
    NATION = 0, _("Nation")
    PROVINCE = 1, _("Province")
    DISTRICT = 2, _("District")
    COMMUNE = 3, _("Commune")


class UnitType(models.TextChoices):
    NATION = "nation", _("Nation")
    PROVINCE = "province", _("Province")
    MUNICIPALITY = "municipality", _("Centrally-run city")
    URBAN_DISTRICT = "urban_district", _("Urban district")
    RURAL_DISTRICT = "rural_district", _("Rural district")
    TOWN = "town", _("Town")
    PROVINCIAL_CITY = "provincial_city", _("Provincial city")
    COMMUNE = "commune", _("Commune")
    WARD = "ward", _("Ward")
    TOWNSHIP = "township", _("Township")
    SPECIAL_ZONE = "special_zone", _("Special zone")


class AdministrativeUnit(models.Model):
    code = models.CharField(_("code"), max_length=10)
    name = models.CharField(_("name"), max_length=150)
    # Lower-case, diacritic-free form of the name for search ("thach that").
    name_folded = models.CharField(max_length=150, db_index=True, editable=False)
    # Orders names the way a Vietnamese reader expects (proper name first, then tones); see text.py.
    sort_key = models.CharField(max_length=255, editable=False, default="")
    unit_type = models.CharField(_("type"), max_length=20, choices=UnitType.choices)
    level = models.PositiveSmallIntegerField(_("level"), choices=UnitLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    # Materialised path of primary keys, '/<root>/<...>/<self>/', for subtree queries.
    path = models.CharField(max_length=64, db_index=True, editable=False)
    # Where records made under this unit count today: itself for a current unit; for an old
    # unit its default successor, or the lowest current unit holding all its successors.
    placement = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="placed_units", editable=False
    )
    # The placement's path, copied here so a scope filter is one indexed prefix match.
    placement_path = models.CharField(max_length=64, db_index=True, editable=False)

    class Meta:
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")
        constraints = [
            models.UniqueConstraint(fields=["code", "valid_from"], name="unit_code_unique_per_map"),
            # The old map has no known start date (NULLs never collide), so its codes are kept
            # unique through the day the map ended instead.
            models.UniqueConstraint(fields=["code", "valid_to"], name="unit_code_unique_per_map_end"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="unit_validity_ordered",
            ),
        ]
        indexes = [models.Index(fields=["level", "valid_from", "valid_to"], name="unit_level_validity")]
        ordering = ["level", "code"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # The loader bulk-creates and fills these itself; this covers units made one by one.
        self.name_folded = fold(self.name)
        self.sort_key = vietnamese_sort_key(self.name)
        super().save(*args, **kwargs)

    def is_valid_on(self, day) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)

    @property
    def is_current(self) -> bool:
        return self.valid_to is None

    @property
    def counted_in(self) -> "AdministrativeUnit | None":
        """Where a list says an old unit's records count today, or None when there is nothing to add: a
        current unit, or an old unit whose successor has the same name (the old and the new "Thành phố Hà
        Nội" are one place said once). For a unit split between several units (an old district) this is
        the unit that holds them all."""
        placement = self.placement
        if self.is_current or placement is None or placement.pk == self.pk or placement.name == self.name:
            return None
        return placement

    @property
    def counted_in_whole(self) -> bool:
        """True when `counted_in` is the unit's successor (it went there whole), not the unit holding its parts."""
        return self.placement is not None and self.placement.level == self.level

    @property
    def scope_path(self) -> str:
        """The path that scope and totals use: where the unit's records count today (its placement),
        or its own path for a unit not yet placed (made one by one, before the loader places it)."""
        return self.placement_path or self.path


class UnitSuccession(models.Model):
    """One edge of the crosswalk: where (part of) an old unit went on a reorganisation."""

    predecessor = models.ForeignKey(AdministrativeUnit, on_delete=models.CASCADE, related_name="successions")
    successor = models.ForeignKey(AdministrativeUnit, on_delete=models.CASCADE, related_name="predecessions")
    # The successor that takes records whose exact location inside a split unit is unknown.
    is_default = models.BooleanField(default=False)
    effective_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="succession_unique_pair"),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor}"
