"""Victim case management: the person, the case, and every step taken on it.

Names, documents, addresses and contacts are identifying fields: sealed at rest, masked unless
the reader's role needs them, and matched only through keyed hashes. The case's status moves
only through the transition table in `workflow.py`; each move is a `CaseEvent` row, and the
case page's timeline is those rows.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from haidang.access.models import Agency
from haidang.common.fields import EncryptedTextField
from haidang.places.models import AdministrativeUnit


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
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    full_name = EncryptedTextField(_("full name"))
    other_names = EncryptedTextField(_("other names"))
    # Keyed hash of the name folded (no diacritics, no case) with its words sorted: finds
    # "Nguyễn Thị Hoà" and "Hoa Nguyen Thi" as the same name without storing either.
    name_key = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    ethnicity = models.CharField(_("ethnicity"), max_length=60, blank=True)
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
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
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

    def __str__(self) -> str:
        # Never the name: this string can reach logs and error reports.
        return f"person {self.pk}"


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


class Case(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Unique per province and year: "<province code>-<year>-<sequence>".
    number = models.CharField(_("case number"), max_length=20, unique=True)
    province = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="+")
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
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
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
            # A user's assigned cases outside their units, in list order, from the index alone.
            models.Index(
                fields=["assigned_to", "unit", "-reception_date", "-created_at", "-id"], name="case_assigned_received"
            ),
            # The worklist: the few waiting cases of a scope, without visiting the closed ones.
            models.Index(
                fields=["unit", "reception_date"],
                name="case_waiting_scope",
                condition=models.Q(status__in=["reported", "received", "initial_verification"]),
            ),
        ]

    def __str__(self) -> str:
        return self.number


class CaseEvent(models.Model):
    """One step on the case's timeline: a transition, or an action recorded on it."""

    id = models.BigAutoField(primary_key=True)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=40)
    from_status = models.CharField(max_length=24, blank=True)
    to_status = models.CharField(max_length=24, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    occurred_at = models.DateTimeField()
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [models.Index(fields=["case", "occurred_at"], name="case_event_timeline")]

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

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="linked_persons")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="links")
    relationship = models.CharField(_("relationship"), max_length=12, choices=Relationship.choices)
    is_protected = models.BooleanField(_("under protection"), default=False)
    notes = models.TextField(_("notes"), blank=True)

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


class ConsentGiver(models.TextChoices):
    PERSON = "person", _("The person")
    REPRESENTATIVE = "representative", _("Legal representative")


class Consent(models.Model):
    """Consent to disclose a person's information: who gave it, to whom, for what, how; withdrawable."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="consents")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consents")
    given_by = models.CharField(_("given by"), max_length=20, choices=ConsentGiver.choices)
    representative_name = EncryptedTextField(_("representative's name"))
    purpose = models.CharField(_("purpose"), max_length=40)
    recipient = models.ForeignKey(
        Agency, verbose_name=_("recipient"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    given_on = models.DateField(_("given on"))
    method = models.CharField(_("how"), max_length=20)  # written, verbal with witness, electronic
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"consent {self.pk}"


class Disclosure(models.Model):
    """Every time a person's information leaves the case: to whom, why, and on what basis."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="disclosures")
    kind = models.CharField(max_length=20)  # referral, transfer, export, share
    recipient = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(max_length=40)
    consent = models.ForeignKey(Consent, null=True, blank=True, on_delete=models.PROTECT, related_name="disclosures")
    legal_basis = models.CharField(max_length=255, blank=True)
    disclosed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    disclosed_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"disclosure {self.pk}"


class ServiceType(models.TextChoices):
    VOCATIONAL = "vocational", _("Vocational training")
    EMPLOYMENT = "employment", _("Employment service")
    SOCIAL_WORK = "social_work", _("Social work")
    LEGAL_AID = "legal_aid", _("Legal aid")
    HEALTH = "health", _("Health")
    NGO = "ngo", _("Non-governmental organisation")


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    COMPLETED = "completed", _("Completed")


class Referral(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    provider = models.ForeignKey(Agency, verbose_name=_("service provider"), on_delete=models.PROTECT, related_name="+")
    service_type = models.CharField(_("service"), max_length=20, choices=ServiceType.choices)
    reason = models.TextField(_("reason"))
    consent = models.ForeignKey(Consent, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    legal_basis = models.CharField(_("legal basis"), max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=ReferralStatus.choices, default=ReferralStatus.SENT)
    outcome = models.TextField(_("outcome"), blank=True)
    follow_up_on = models.DateField(_("follow-up date"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"referral {self.pk}"


class TransferStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the receiving unit")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class Transfer(models.Model):
    """Handing the case to another unit (e.g. the person's home commune); scope follows on acceptance."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transfers")
    from_unit = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="+")
    from_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    to_unit = models.ForeignKey(
        AdministrativeUnit, verbose_name=_("receiving unit"), on_delete=models.PROTECT, related_name="+"
    )
    to_agency = models.ForeignKey(
        Agency, verbose_name=_("receiving agency"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"))
    consent = models.ForeignKey(Consent, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    legal_basis = models.CharField(_("legal basis"), max_length=255, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=TransferStatus.choices, default=TransferStatus.PENDING
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=Q(status="pending"), name="one_pending_transfer"),
        ]

    def __str__(self) -> str:
        return f"transfer {self.pk}"


class FollowUpVisit(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="visits")
    visit_date = models.DateField(_("visit date"))
    situation = models.TextField(_("situation"))
    needs = models.TextField(_("needs"), blank=True)
    next_visit_on = models.DateField(_("next visit"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["visit_date"]

    def __str__(self) -> str:
        return f"visit {self.pk}"


class RateTable(models.Model):
    """A provincial support rate, valid over a period, with its legal basis (a People's Council resolution)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    province = models.ForeignKey(
        AdministrativeUnit, verbose_name=_("province"), on_delete=models.PROTECT, related_name="+"
    )
    regime = models.CharField(_("regime"), max_length=8)
    item = models.CharField(_("item"), max_length=120)
    unit_label = models.CharField(_("per"), max_length=40)  # "day", "person", "once"
    amount = models.DecimalField(_("amount (VND)"), max_digits=14, decimal_places=0)
    max_units = models.PositiveIntegerField(_("maximum units per case"), null=True, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=255)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["province", "regime", "item", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="rate_validity_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.regime} {self.item}"


class SupportExtension(models.Model):
    """A recorded decision that lets support go beyond its limit (e.g. shelter past 120 days)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="support_extensions")
    regime = models.CharField(_("regime"), max_length=8)
    extra_units = models.PositiveIntegerField(_("additional units"))
    decision_number = models.CharField(_("decision number"), max_length=60)
    decided_on = models.DateField(_("decided on"))
    decided_by = models.CharField(_("decided by"), max_length=255)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.decision_number


class SupportItem(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="support_items")
    beneficiary = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    regime = models.CharField(_("regime"), max_length=8)
    rate = models.ForeignKey(RateTable, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    item = models.CharField(_("item"), max_length=120)
    provider = models.ForeignKey(Agency, verbose_name=_("provider"), on_delete=models.PROTECT, related_name="+")
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_amount = models.DecimalField(_("unit amount (VND)"), max_digits=14, decimal_places=0)
    total = models.DecimalField(_("total (VND)"), max_digits=16, decimal_places=0)
    decision_number = models.CharField(_("decision number"), max_length=60, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start_date"]

    def __str__(self) -> str:
        return f"{self.regime} {self.item}"


class CaseAccessGrant(models.Model):
    """Break-the-glass: time-limited access to one case outside the user's scope, with a reason."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="access_grants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_access_grants")
    reason = models.TextField(_("reason"))
    granted_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["user", "expires_at"], name="case_grant_user_expiry")]

    def __str__(self) -> str:
        return f"grant {self.pk}"


# --- Protection, shelter stays, reintegration applications, attachments (Decree 162/2025) ------------
# Services and selectors for these records are in the `protection` package.


class AttachmentKind(models.TextChoices):
    IDENTIFICATION_DOCUMENT = "identification_document", _("Identification document")
    PROTECTION_COMMITMENT = "protection_commitment", _("Written commitment (refusal of protection)")
    DECISION = "decision", _("Decision")
    PHOTO = "photo", _("Photograph")
    OTHER = "other", _("Other document")


class CaseAttachment(models.Model):
    """A file kept with the case: PDF, image or office document, sealed at rest, every download audited.

    `content` is '<key id>:' followed by the nonce and the AES-256-GCM ciphertext of the file, with
    this attachment's id as associated data: a blob copied into another row does not open.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind of document"), max_length=24, choices=AttachmentKind.choices)
    # File names often carry the person's name ("CCCD Nguyen Thi ….pdf").
    original_name = EncryptedTextField(_("file name"))
    content_type = models.CharField(_("file type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    # SHA-256 of the plaintext, checked again after every decryption.
    sha256 = models.CharField(max_length=64, editable=False)
    # The key that sealed `content` (also in the blob): rotation finds old rows without reading blobs.
    key_id = models.CharField(max_length=32, editable=False)
    content = models.BinaryField(editable=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        # Never the file name.
        return f"attachment {self.pk}"


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class ProtectionMeasure(models.TextChoices):
    """The measures of Decree 162/2025 for persons protected under Law 53/2024 Art. 34–35."""

    SAFE_SHELTER = "safe_shelter", _("Safe temporary shelter")
    PROTECT_PERSONAL_INFORMATION = "protect_personal_information", _("Protection of personal information")
    PROTECT_RESIDENCE_WORK_STUDY = (
        "protect_residence_work_study",
        _("Protection of the place of residence, work and study"),
    )
    PROTECTIVE_FORCES = "protective_forces", _("Protective forces at those places and during travel")
    THREAT_DETECTION = "threat_detection", _("Early detection of threats")
    POLICE_OR_ARMY_ASSISTANCE = "police_or_army_assistance", _("Assistance requested from the police or army")
    OTHER = "other", _("Other measure")


class ProtectionStatus(models.TextChoices):
    ACTIVE = "active", _("In force")
    ENDED = "ended", _("Ended")
    REFUSED = "refused", _("Refused by the person")


class ProtectionDecision(models.Model):
    """A protection decision for the person or a linked person, its measures, and how it ended.

    A refusal needs the person's written commitment: a signed commitment attached, or a record
    that it is kept on paper with its date.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="protection_decisions")
    subject = models.ForeignKey(Person, verbose_name=_("protected person"), on_delete=models.PROTECT, related_name="+")
    # Names threats and places: sealed, and never copied into the timeline or the audit log.
    risk_assessment = EncryptedTextField(_("risk assessment"))
    risk_level = models.CharField(_("risk level"), max_length=8, choices=RiskLevel.choices)
    decided_on = models.DateField(_("decided on"))
    decided_by = models.CharField(_("decided by (competent body)"), max_length=255)
    measures = models.JSONField(_("measures"), default=list, blank=True)
    other_measure = EncryptedTextField(_("other measure"))
    status = models.CharField(
        _("status"), max_length=8, choices=ProtectionStatus.choices, default=ProtectionStatus.ACTIVE
    )
    refusal_reason = EncryptedTextField(_("reason for refusing"))
    commitment_recorded = models.BooleanField(_("written commitment kept on paper"), default=False)
    commitment_date = models.DateField(_("date of the written commitment"), null=True, blank=True)
    commitment_file = models.ForeignKey(
        CaseAttachment,
        verbose_name=_("signed commitment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = EncryptedTextField(_("reason for ending"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("protection decision")
        verbose_name_plural = _("protection decisions")
        ordering = ["decided_on", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(status="active") & Q(ended_on__isnull=True))
                | (~Q(status="active") & Q(ended_on__isnull=False) & Q(ended_on__gte=models.F("decided_on"))),
                name="protection_end_matches_status",
            ),
        ]

    def __str__(self) -> str:
        return f"protection {self.pk}"


class ShelterStay(models.Model):
    """A stay in a shelter or facility, against the 120-day limit (Decree 162 Art. 17) unless extended."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="shelter_stays")
    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+")
    # Where the person is: a restricted fact (masked for readers who do not see identities).
    facility = models.ForeignKey(Agency, verbose_name=_("facility"), on_delete=models.PROTECT, related_name="+")
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    extended_until = models.DateField(_("extended until"), null=True, blank=True)
    extension_decision_number = models.CharField(_("extension decision number"), max_length=60, blank=True)
    extension_decided_on = models.DateField(_("extension decided on"), null=True, blank=True)
    extension_decided_by = models.CharField(_("extension decided by"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("shelter stay")
        verbose_name_plural = _("shelter stays")
        ordering = ["start_date", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="shelter_stay_dates_ordered",
            ),
            models.CheckConstraint(
                condition=Q(extended_until__isnull=True) | ~Q(extension_decision_number=""),
                name="shelter_extension_has_decision",
            ),
            models.UniqueConstraint(
                fields=["case", "person"], condition=Q(end_date__isnull=True), name="one_open_stay_per_person"
            ),
        ]

    def __str__(self) -> str:
        return f"stay {self.pk}"


class ReintegrationRegime(models.TextChoices):
    """What a Form 07 application asks for (Decree 162 Art. 24–25)."""

    EDU = "EDU", _("Schooling")
    VOC = "VOC", _("Vocational training")
    HAR = "HAR", _("Initial hardship allowance")


class ApplicantKind(models.TextChoices):
    PERSON = "person", _("The victim")
    FAMILY = "family", _("The family")


class SubmissionChannel(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")
    POST = "post", _("By post")


class ApplicationStatus(models.TextChoices):
    RECEIVED = "received", _("Received, waiting for a decision")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class ReintegrationApplication(models.Model):
    """A Form 07 application for schooling, vocational training or the initial hardship allowance.

    Filed by the victim, or by the family for a victim under 18; the Department of Health decides
    within 9 working days of receipt (`timelimits.reintegration_decision_deadline`).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reintegration_applications")
    beneficiary = models.ForeignKey(Person, verbose_name=_("victim"), on_delete=models.PROTECT, related_name="+")
    applicant = models.CharField(
        _("filed by"), max_length=8, choices=ApplicantKind.choices, default=ApplicantKind.PERSON
    )
    applicant_name = EncryptedTextField(_("name of the family member who filed"))
    submitted_via = models.CharField(
        _("submitted"), max_length=10, choices=SubmissionChannel.choices, default=SubmissionChannel.IN_PERSON
    )
    received_on = models.DateField(_("received on"))
    regimes = models.JSONField(_("support requested"), default=list)
    approved_regimes = models.JSONField(_("support approved"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ApplicationStatus.choices, default=ApplicationStatus.RECEIVED
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decision_number = models.CharField(_("decision number"), max_length=60, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("reintegration application")
        verbose_name_plural = _("reintegration applications")
        ordering = ["received_on", "created_at"]
        indexes = [models.Index(fields=["status", "received_on"], name="reintegration_app_waiting")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(status="received") & Q(decided_on__isnull=True))
                | (~Q(status="received") & Q(decided_on__isnull=False) & Q(decided_on__gte=models.F("received_on"))),
                name="reintegration_decision_matches_status",
            ),
        ]

    def __str__(self) -> str:
        return f"reintegration application {self.pk}"
