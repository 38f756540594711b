"""The person, the case, its timeline (events), linked persons and case numbers."""

from collections.abc import Mapping

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from haidang.access.models import Agency
from haidang.common.fields import EncryptedTextField
from haidang.common.ids import new_id
from haidang.common.labels import choice_labels
from haidang.places.models import AdministrativeUnit
from haidang.places.placing import PlacedRecord


def decider_label(agency, legacy: str) -> str:
    """The deciding agency's name, or the text typed before deciding bodies were agencies, marked so."""
    if agency is not None:
        return agency.name
    if legacy:
        return str(_("%(text)s (as first recorded)") % {"text": legacy})
    return ""


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Not known")


class NationalityClass(models.TextChoices):
    VN_CITIZEN = "vn_citizen", _("Vietnamese citizen")
    STATELESS_RESIDENT = "stateless_resident", _("Stateless, permanently resident in Vietnam")
    FOREIGN = "foreign", _("Foreign national")


class DocumentType(models.TextChoices):
    CITIZEN_ID = "citizen_id", _("Citizen identity card")
    PASSPORT = "passport", _("Passport")
    BIRTH_CERTIFICATE = "birth_certificate", _("Birth certificate")
    OTHER = "other", _("Other document")


class Person(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    full_name = EncryptedTextField(_("full name"))
    other_names = EncryptedTextField(_("other names"))
    # Keyed hash of the name folded (no diacritics, no case) with its words sorted: finds
    # "Nguyễn Thị Hoà" and "Hoa Nguyen Thi" as the same name without storing either.
    name_key = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    # The code of one of the 54 ethnic groups (haidang.common.ethnicities); names are shown.
    ethnicity = models.CharField(_("ethnicity"), max_length=2, blank=True)
    # A value recorded before the code list that matched no group: kept, shown as such, to correct.
    ethnicity_legacy = models.CharField(_("ethnicity as first recorded (to correct)"), max_length=60, blank=True)
    nationality_class = models.CharField(
        _("nationality"), max_length=20, choices=NationalityClass.choices, default=NationalityClass.VN_CITIZEN
    )
    nationality_country = models.CharField(_("country of nationality"), max_length=3, blank=True)
    document_type = models.CharField(_("identity document"), max_length=20, choices=DocumentType.choices, blank=True)
    document_number = EncryptedTextField(_("document number"))
    document_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    residence_unit = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("place of residence"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    address = EncryptedTextField(_("address"))
    contacts = EncryptedTextField(_("contacts"))
    languages = models.CharField(_("languages"), max_length=120, blank=True)
    # When two records turn out to be one person, the merged one points at the one kept.
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # the few merged records only: the partial index below
    )
    # Not indexed: nothing reads persons by their creator, and users are deactivated, never deleted.
    # Each index is one more b-tree written by every intake and every imported row.
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        constraints = [
            models.CheckConstraint(
                condition=Q(birth_year__isnull=True) | Q(birth_year__gte=1900), name="person_birth_year_plausible"
            ),
        ]
        indexes = [
            models.Index(fields=["merged_into"], name="person_merged_into", condition=Q(merged_into__isnull=False)),
        ]

    def __str__(self) -> str:
        # Never the name: this string can reach logs and error reports.
        return f"person {self.pk}"


class ConfirmingDocument(models.TextChoices):
    """Documents confirming victim status (Law 53/2024 Art. 33(1), referred to by Art. 27(2)).

    VERIFY(art33-documents): the list of Art. 33(1) was not retrieved; these are the legacy list of
    Law 66/2011 Art. 28 (police, rescuing body, investigation body/procuracy/court, legalised foreign
    documents), the confirmations of Art. 30(1)(b) and the certificate expected from Decree 162.
    """

    VICTIM_CONFIRMATION = "victim_confirmation", _("Victim confirmation certificate")
    POLICE_CERTIFICATE = "police_certificate", _("Certificate from the police")
    RESCUE_CERTIFICATE = "rescue_certificate", _("Certificate from the rescuing body")
    PROCEDURE_BODY_CERTIFICATE = (
        "procedure_body_certificate",
        _("Certificate from an investigation body, procuracy or court"),
    )
    BORDER_CONFIRMATION = "border_confirmation", _("Confirmation by the police or Border Guard at the border (Art. 30)")
    FOREIGN_DOCUMENT = "foreign_document", _("Document of a competent foreign body, legalised")
    OTHER = "other", _("Other document")


class IntakeChannel(models.TextChoices):
    SELF_REPORT = "self_report", _("Self-report")
    RESCUE = "rescue", _("Rescue")
    BORDER_HANDOVER = "border_handover", _("Handover at the border")
    MISSION_ABROAD = "mission_abroad", _("Return via a mission abroad")
    HOTLINE_TIP = "hotline_tip", _("Hotline tip")
    FOREIGN_VICTIM = "foreign_victim", _("Foreign victim in Vietnam")
    TRANSFER = "transfer", _("Transfer from another unit")


class LegalRegime(models.TextChoices):
    LAW_2011 = "2011", _("Law 66/2011/QH12")
    LAW_2024 = "2024", _("Law 53/2024/QH15")


class Route(models.TextChoices):
    CAMBODIA = "vn_kh", _("Vietnam–Cambodia")
    CHINA = "vn_cn", _("Vietnam–China")
    LAOS = "vn_la", _("Vietnam–Laos")
    OTHER = "other", _("Other international")
    DOMESTIC = "domestic", _("Domestic")


class Exploitation(models.TextChoices):
    """Forms of exploitation (Law 53/2024 Art. 2), each mapped to an HTCDS TypeOfExploitation code."""

    SEXUAL = "sexual", _("Sexual exploitation")
    FORCED_LABOUR = "forced_labour", _("Forced labour")
    ORGAN_REMOVAL = "organ_removal", _("Removal of organs or tissue")
    FORCED_MARRIAGE = "forced_marriage", _("Forced marriage")
    SURROGACY = "surrogacy", _("Commercial surrogacy")
    FORCED_CRIME = "forced_crime", _("Forced criminal activity (including online fraud)")
    SERVITUDE = "servitude", _("Servitude")
    FORCED_BEGGING = "forced_begging", _("Forced begging")
    ADOPTION = "adoption", _("Sale for adoption")
    OTHER = "other", _("Other inhumane purposes")


HTCDS_EXPLOITATION = {
    Exploitation.SEXUAL: "SexualExploitation",
    Exploitation.FORCED_LABOUR: "ForcedLabour",
    Exploitation.ORGAN_REMOVAL: "OrganRemoval",
    Exploitation.FORCED_MARRIAGE: "ForcedMarriage",
    Exploitation.SURROGACY: "Surrogacy",
    Exploitation.FORCED_CRIME: "ForcedLabour",
    Exploitation.SERVITUDE: "Servitude",
    Exploitation.FORCED_BEGGING: "ForcedBegging",
    Exploitation.ADOPTION: "ForcedAdoption",
    Exploitation.OTHER: "Other",
}


class Recruitment(models.TextChoices):
    ONLINE_JOB_OFFER = "online_job_offer", _("Online offer of easy, well-paid work abroad")
    SOCIAL_NETWORK = "social_network", _("Acquaintance made on social networks")
    ACQUAINTANCE = "acquaintance", _("Acquaintance, friend or relative")
    BROKER = "broker", _("Labour or marriage broker")
    ABDUCTION = "abduction", _("Abduction")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Not known")


class CaseStatus(models.TextChoices):
    REPORTED = "reported", _("Reported")
    RECEIVED = "received", _("Received")
    INITIAL_VERIFICATION = "initial_verification", _("Initial verification")
    FURTHER_VERIFICATION = "further_verification", _("Further verification")
    IDENTIFIED = "identified", _("Identified as a victim")
    NOT_VICTIM = "not_victim", _("Not a victim")
    UNDETERMINED = "undetermined", _("Undetermined")
    RETURNED_HOME = "returned_home", _("Returned home")
    REINTEGRATION = "reintegration", _("Reintegration")
    CLOSED = "closed", _("Closed")


# The statuses waiting for a step, in the order the partial indexes on them list them. Read them with
# `status__in_codes=WAITING_STATUSES` (`common.lookups`): written as literals, the indexes can serve it.
WAITING_STATUSES = (CaseStatus.REPORTED, CaseStatus.RECEIVED, CaseStatus.INITIAL_VERIFICATION)
_WAITING = [status.value for status in WAITING_STATUSES]


def status_label(value: str) -> str:
    """A status's label in the active language ("" for none)."""
    return status_labels(get_language()).get(value, value) if value else ""


def status_labels(language: str | None) -> Mapping[str, str]:
    """Every status's label in `language`, translated once per process (`common.labels`)."""
    return choice_labels(CaseStatus, language)


class Case(PlacedRecord):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    # Unique per province and year: "<province code>-<year>-<sequence>".
    number = models.CharField(_("case number"), max_length=20, unique=True)
    # Led by the (province, year, sequence) constraint: an index of its own would be written for nothing.
    province = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="+", db_index=False)
    year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()
    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="cases")
    legal_regime = models.CharField(_("legal regime"), max_length=4, choices=LegalRegime.choices)
    intake_channel = models.CharField(_("intake channel"), max_length=20, choices=IntakeChannel.choices)
    reception_date = models.DateField(_("reception date"))
    notified_at = models.DateTimeField(_("Department of Health notified at"), null=True, blank=True)
    agency = models.ForeignKey(Agency, verbose_name=_("receiving agency"), on_delete=models.PROTECT, related_name="+")
    # The unit responsible for the case; scope follows it (a transfer moves it).
    unit = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="victim_cases",
        db_index=False,  # led by the (unit, list order) index below
    )
    found_abroad = models.BooleanField(_("found abroad"), default=False)
    found_country = models.CharField(_("country where found"), max_length=3, blank=True)
    # Where the person is: a person found abroad (or handled by a mission abroad) is abroad until
    # their return to Vietnam is recorded, with its date and border gate; eligibility reads it
    # (Art. 37(3): a person being identified abroad gets points a–d only).
    returned_on = models.DateField(_("returned to Vietnam on"), null=True, blank=True)
    return_border_gate = models.CharField(_("border gate of return"), max_length=120, blank=True)
    exploitation_forms = models.JSONField(_("forms of exploitation"), default=list, blank=True)
    destination_country = models.CharField(_("destination country"), max_length=3, blank=True)
    route = models.CharField(_("route"), max_length=10, choices=Route.choices, blank=True)
    recruitment_method = models.CharField(
        _("recruitment method"), max_length=20, choices=Recruitment.choices, blank=True
    )
    criminal_proceeding_number = models.CharField(_("criminal proceeding number"), max_length=60, blank=True)
    status = models.CharField(_("status"), max_length=24, choices=CaseStatus.choices, default=CaseStatus.REPORTED)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_cases",
        db_index=False,  # led by the (assigned_to, unit, list order) index below
    )
    # Not indexed, as the person's.
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic locking: a write names the version it read; a stale one is refused (409).
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-reception_date", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["province", "year", "sequence"], name="case_number_per_province_year"),
        ]
        indexes = [
            models.Index(fields=["status", "reception_date"], name="case_status_received"),
            # The case list: scope (unit) then the list's order, so a scope's page and its count
            # are read from the index alone (an index-only scan, then the top 50).
            models.Index(fields=["unit", "-reception_date", "-created_at", "-id"], name="case_scope_received"),
            # ... and a province's (access.scope: the placement stored with the case, not ~700 unit ids).
            models.Index(
                fields=["placed_province", "-reception_date", "-created_at", "-id"], name="case_province_received"
            ),
            # A user's assigned cases outside their scope, in list order, from the index alone (the scope,
            # by unit or by province, is checked on the included columns). Only assigned cases: an
            # intake or an import (never assigned) writes nothing here, and `assigned_to = u` implies
            # the condition on both databases.
            models.Index(
                fields=["assigned_to", "-reception_date", "-created_at", "-id"],
                include=["unit", "placed_province"],
                name="case_assigned_in_order",
                condition=models.Q(assigned_to__isnull=False),
            ),
            # The worklist: the few waiting cases of a scope, without visiting the closed ones.
            models.Index(
                fields=["unit", "reception_date"],
                name="case_waiting_scope",
                condition=models.Q(status__in=_WAITING),
            ),
            # ... of a province.
            models.Index(
                fields=["placed_province", "reception_date"],
                name="case_waiting_province",
                condition=models.Q(status__in=_WAITING),
            ),
            # ... and a case worker's assigned waiting cases (a worker has hundreds assigned, most closed).
            models.Index(
                fields=["assigned_to", "reception_date"],
                name="case_waiting_assigned",
                condition=models.Q(status__in=_WAITING, assigned_to__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.number


class CaseEvent(models.Model):
    """One step on the case's timeline: a transition, or an action recorded on it.

    `event_date` is the day the thing happened (a return home on 10/03); `recorded_at` is when
    someone typed it (03/12). Time limits, the timeline, statistics and report pre-fill count on
    the event date.
    """

    id = models.BigAutoField(primary_key=True)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=40)
    from_status = models.CharField(max_length=24, blank=True)
    to_status = models.CharField(max_length=24, blank=True)
    # Not indexed: a timeline is read by its case, never by who wrote it (users are never deleted).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    event_date = models.DateField(_("date of the event"))
    recorded_at = models.DateTimeField(_("recorded at"))
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["event_date", "recorded_at", "id"]
        # A case's timeline is read by `case` (its foreign key's index): a few rows, sorted in memory.
        indexes = [
            models.Index(fields=["to_status", "event_date"], name="case_event_step_date"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


class Relationship(models.TextChoices):
    CHILD = "child", _("Accompanying child under 18")
    SPOUSE = "spouse", _("Spouse")
    PARENT = "parent", _("Parent")
    SIBLING = "sibling", _("Sibling")
    OTHER_RELATIVE = "relative", _("Other relative")


class LinkedPerson(models.Model):
    """An accompanying child or a relative, with their own status on the case."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="linked_persons")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="links")
    relationship = models.CharField(_("relationship"), max_length=12, choices=Relationship.choices)
    is_protected = models.BooleanField(_("under protection"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    # Optimistic locking: a change names the version it read; a stale one is refused (409).
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "person"], name="linked_person_once_per_case")]

    def __str__(self) -> str:
        return f"{self.relationship} on {self.case_id}"


class CaseNumberCounter(models.Model):
    """The last case number given per province and year; locked while a number is taken."""

    province = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["province", "year"], name="case_counter_per_province_year")]

    def __str__(self) -> str:
        return f"{self.province_id}/{self.year}: {self.last}"
