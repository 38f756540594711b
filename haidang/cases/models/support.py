"""Consent and disclosure, referrals, transfers, follow-up visits, rate tables, support and break-the-glass."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from haidang.access.models import Agency
from haidang.cases.models.case import Case, Person, decider_label
from haidang.common.fields import EncryptedTextField
from haidang.common.ids import new_id
from haidang.places.models import AdministrativeUnit


class ConsentGiver(models.TextChoices):
    """Who consented (Law 53/2024 Art. 3(10)); for a child the Law on Children 2016 Art. 6 and 33
    adds the child's own consent from 7 (see `services.consent.required_givers`)."""

    PERSON = "person", _("The person")
    REPRESENTATIVE = "representative", _("Legal representative")
    BOTH = "both", _("The person and the legal representative")


class Consent(models.Model):
    """Consent to disclose a person's information: who gave it, to whom, for what, how; withdrawable."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
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
    """Every time a person's information leaves the case: to whom, why, and on what basis.

    A disclosure of one case (a referral, a transfer) names its case and consent. A disclosure of many cases at
    once (an HTCDS export) has no case of its own: each case sent, with the consent that allowed it, is a
    `DisclosedCase` row (`cases.disclosures.history` reads both for a case)."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.CASCADE, related_name="disclosures")
    kind = models.CharField(max_length=20)  # referral, transfer, export, share
    recipient = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(max_length=40)
    consent = models.ForeignKey(Consent, null=True, blank=True, on_delete=models.PROTECT, related_name="disclosures")
    legal_basis = models.CharField(max_length=255, blank=True)
    disclosed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    disclosed_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"disclosure {self.pk}"


class DisclosedCase(models.Model):
    """One case sent in a disclosure of many cases (an export), with the consent that allowed it. Compact and
    inserted in bulk: the recipient, purpose, time and discloser are those of its `disclosure`."""

    disclosure = models.ForeignKey(Disclosure, on_delete=models.CASCADE, related_name="sent", db_index=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    # Not indexed (a consent is never deleted; it is withdrawn): one index less to keep per case sent.
    consent = models.ForeignKey(
        Consent, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["disclosure", "case"], name="disclosed_case_unique")]

    def __str__(self) -> str:
        return f"{self.disclosure_id}:{self.case_id}"


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
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
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

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
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
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
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

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
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

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="support_extensions")
    regime = models.CharField(_("regime"), max_length=8)
    extra_units = models.PositiveIntegerField(_("additional units"))
    decision_number = models.CharField(_("decision number"), max_length=60)
    decided_on = models.DateField(_("decided on"))
    # The body that decided (Decree 162 Art. 17: the facility's head, the Department of Health, ...).
    deciding_agency = models.ForeignKey(
        Agency, verbose_name=_("decided by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Free text recorded before deciding bodies were agencies, when it named no agency: kept as typed.
    decided_by_legacy = models.CharField(_("decided by (as first recorded)"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.decision_number

    @property
    def decided_by_label(self) -> str:
        return decider_label(self.deciding_agency, self.decided_by_legacy)


class SupportItem(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
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

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="access_grants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_access_grants")
    reason = models.TextField(_("reason"))
    granted_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["user", "expires_at"], name="case_grant_user_expiry")]

    def __str__(self) -> str:
        return f"grant {self.pk}"
