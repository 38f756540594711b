"""The criminal proceedings register (police side): trafficking cases under Criminal Code
Art. 150 (or 151 when a victim is under 16), their suspects, and the victim cases they concern.

A criminal case is recorded by the investigating agency at its unit; scope follows that unit,
and records made under an old (pre-2025) unit count where the crosswalk places them today.
Suspects' names, documents and addresses are identifying fields: sealed at rest and masked
unless the reader's role shows identities. Linked victims are cases of the cases app, shown
to a reader only if that reader may see the case itself.
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from haidang.access.models import Agency
from haidang.cases.models import Case, Route, Sex
from haidang.common.ages import age_band_on
from haidang.common.fields import EncryptedTextField
from haidang.common.ids import new_id
from haidang.places.models import AdministrativeUnit
from haidang.places.placing import PlacedRecord


class Article(models.TextChoices):
    TRAFFICKING = "150", _("Art. 150 — Trafficking in persons")
    CHILD_TRAFFICKING = "151", _("Art. 151 — Trafficking in persons under 16")


class AgeBand(models.TextChoices):
    UNDER_16 = "under_16", _("Under 16")
    AGE_16_17 = "16_17", _("16–17")
    ADULT = "18_plus", _("18 and over")
    UNKNOWN = "unknown", _("Not known")


class SuspectRole(models.TextChoices):
    RECRUITER = "recruiter", _("Recruiter")
    BROKER = "broker", _("Broker")
    TRANSPORTER = "transporter", _("Transporter")
    HARBOURER = "harbourer", _("Harbourer")
    RECEIVER = "receiver", _("Receiver")
    OTHER = "other", _("Other role")


def age_band_for(birth_year: int | None, on: date) -> str:
    """The band of a person born in `birth_year` on the day `on`, by the one age rule
    (`haidang.common.ages`: a birth year alone is born on 31/12)."""
    return age_band_on(on, birth_year=birth_year)


class CriminalCase(PlacedRecord):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    # The number the investigating agency gives the case; unique per agency and year of detection.
    number = models.CharField(_("case number"), max_length=60)
    year = models.PositiveSmallIntegerField(editable=False)
    article = models.CharField(_("Criminal Code article"), max_length=3, choices=Article.choices)
    detected_on = models.DateField(_("date detected"))
    prosecution_opened_on = models.DateField(_("date prosecution opened"), null=True, blank=True)
    investigating_agency = models.ForeignKey(
        Agency, verbose_name=_("investigating agency"), on_delete=models.PROTECT, related_name="criminal_cases"
    )
    # The unit of the investigation; scope follows it. Valid on the date detected.
    unit = models.ForeignKey(
        AdministrativeUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="criminal_cases"
    )
    route = models.CharField(_("route"), max_length=10, choices=Route.choices, blank=True)
    destination_country = models.CharField(_("destination country"), max_length=3, blank=True)
    exploitation_forms = models.JSONField(_("forms of exploitation"), default=list, blank=True)
    victim_cases = models.ManyToManyField(
        Case, through="VictimLink", verbose_name=_("linked victims"), related_name="criminal_cases", blank=True
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic locking: a write names the version it read; a stale one is refused (409).
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("criminal case")
        verbose_name_plural = _("criminal cases")
        ordering = ["-detected_on", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["investigating_agency", "year", "number"], name="criminal_case_number_per_agency_year"
            ),
            models.CheckConstraint(
                condition=Q(prosecution_opened_on__isnull=True) | Q(prosecution_opened_on__gte=models.F("detected_on")),
                name="criminal_case_prosecution_after_detection",
            ),
        ]
        indexes = [
            models.Index(fields=["detected_on"], name="criminal_case_detected"),
            # The register of a province (access.scope reads the stored placement), in list order.
            models.Index(fields=["placed_province", "-detected_on", "-created_at"], name="criminal_case_province"),
            models.Index(fields=["prosecution_opened_on"], name="criminal_case_prosecuted"),
        ]

    def __str__(self) -> str:
        return self.number


class Suspect(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    criminal_case = models.ForeignKey(CriminalCase, on_delete=models.CASCADE, related_name="suspects")
    # Optimistic locking, as on the criminal case: a stale version is refused (409).
    version = models.PositiveIntegerField(default=1)
    full_name = EncryptedTextField(_("full name"))
    document_number = EncryptedTextField(_("identity document number"))
    # Keyed hashes of the name (folded, words sorted) and of the document, as on a victim's person
    # (`cases.matching`): an import finds a suspect already recorded without reading sealed values.
    name_key = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    document_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    address = EncryptedTextField(_("address"))
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    # From the birth year at the date detected when known, else as entered.
    age_band = models.CharField(_("age band"), max_length=10, choices=AgeBand.choices, default=AgeBand.UNKNOWN)
    nationality = models.CharField(_("nationality"), max_length=3, default="VNM")
    role = models.CharField(_("role in the chain"), max_length=12, choices=SuspectRole.choices)
    prosecuted_on = models.DateField(_("date prosecuted"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("suspect")
        verbose_name_plural = _("suspects")
        ordering = ["created_at"]
        indexes = [models.Index(fields=["prosecuted_on"], name="suspect_prosecuted")]
        constraints = [
            models.CheckConstraint(
                condition=Q(birth_year__isnull=True) | Q(birth_year__gte=1900), name="suspect_birth_year_plausible"
            ),
        ]

    def __str__(self) -> str:
        # Never the name: this string can reach logs and error reports.
        return f"suspect {self.pk}"


class VictimLink(models.Model):
    """A victim case that a criminal case concerns, and who linked it."""

    criminal_case = models.ForeignKey(CriminalCase, on_delete=models.CASCADE, related_name="victim_links")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="criminal_links")
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    linked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["criminal_case", "case"], name="victim_link_once")]

    def __str__(self) -> str:
        return f"{self.criminal_case_id} ↔ {self.case_id}"
