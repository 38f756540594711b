"""Protection, shelter stays, reintegration applications and attachments (Decree 162/2025)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from haidang.access.models import Agency
from haidang.cases.models.case import Case, Person, decider_label
from haidang.common.fields import EncryptedTextField
from haidang.common.ids import new_id


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

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
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

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="protection_decisions")
    subject = models.ForeignKey(Person, verbose_name=_("protected person"), on_delete=models.PROTECT, related_name="+")
    # Names threats and places: sealed, and never copied into the timeline or the audit log.
    risk_assessment = EncryptedTextField(_("risk assessment"))
    risk_level = models.CharField(_("risk level"), max_length=8, choices=RiskLevel.choices)
    decided_on = models.DateField(_("decided on"))
    # The competent body that decided (Decree 162 Art. 13), one the law allows (`cases.authority`).
    deciding_agency = models.ForeignKey(
        Agency, verbose_name=_("decided by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by_legacy = models.CharField(_("decided by (as first recorded)"), max_length=255, blank=True)
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

    @property
    def decided_by_label(self) -> str:
        return decider_label(self.deciding_agency, self.decided_by_legacy)


class ShelterStay(models.Model):
    """A stay in a shelter or facility, against the 120-day limit (Decree 162 Art. 17) unless extended."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="shelter_stays")
    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+")
    # Where the person is: a restricted fact (masked for readers who do not see identities).
    facility = models.ForeignKey(Agency, verbose_name=_("facility"), on_delete=models.PROTECT, related_name="+")
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    extended_until = models.DateField(_("extended until"), null=True, blank=True)
    extension_decision_number = models.CharField(_("extension decision number"), max_length=60, blank=True)
    extension_decided_on = models.DateField(_("extension decided on"), null=True, blank=True)
    extension_deciding_agency = models.ForeignKey(
        Agency,
        verbose_name=_("extension decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    extension_decided_by_legacy = models.CharField(
        _("extension decided by (as first recorded)"), max_length=255, blank=True
    )
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

    @property
    def extension_decided_by_label(self) -> str:
        return decider_label(self.extension_deciding_agency, self.extension_decided_by_legacy)


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

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
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
    # The Department of Health that decided (Decree 162 Art. 24), and who recorded the decision.
    deciding_agency = models.ForeignKey(
        Agency, verbose_name=_("decided by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_recorded_by = models.ForeignKey(
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
