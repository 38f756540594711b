"""Agencies, users and their memberships (agency, unit, role), and API tokens."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from haidang.access.roles import Role
from haidang.common.fields import EncryptedTextField
from haidang.common.ids import new_id
from haidang.places.models import AdministrativeUnit


class AgencyType(models.TextChoices):
    COMMUNE_PEOPLES_COMMITTEE = "commune_committee", _("Commune People's Committee")
    PROVINCIAL_PEOPLES_COMMITTEE = "province_committee", _("Provincial People's Committee")
    COMMUNE_POLICE = "commune_police", _("Commune police")
    PROVINCIAL_POLICE = "province_police", _("Provincial police")
    BORDER_GUARD = "border_guard", _("Border Guard")
    COAST_GUARD = "coast_guard", _("Coast Guard")
    DEPARTMENT_OF_HEALTH = "health_department", _("Provincial Department of Health")
    SUPPORT_FACILITY = "support_facility", _("Social assistance or victim-support facility")
    SOCIAL_WORK_CENTRE = "social_work_centre", _("Social work centre")
    EMPLOYMENT_SERVICE = "employment_centre", _("Employment service centre")
    VOCATIONAL_TRAINING = "vocational_centre", _("Vocational training centre")
    LEGAL_AID = "legal_aid_centre", _("Legal aid centre")
    WOMENS_UNION = "womens_union", _("Women's Union")
    YOUTH_UNION = "youth_union", _("Youth Union")
    LABOUR_FEDERATION = "labour_federation", _("Labour Federation")
    FARMERS_ASSOCIATION = "farmers_association", _("Farmers' Association")
    FATHERLAND_FRONT = "fatherland_front", _("Fatherland Front")
    SCHOOL = "school", _("School")
    PRESS = "press", _("Press")
    NGO = "ngo", _("Non-governmental organisation")
    # Partners such as IOM, UNICEF or UNODC: recipients of case exchange, never holders of a scope.
    INTERNATIONAL_ORGANISATION = "international_org", _("International organisation")
    MISSION_ABROAD = "mission_abroad", _("Vietnamese mission abroad")
    MINISTRY = "ministry", _("Ministry")
    STEERING_COMMITTEE = "steering_committee", _("Steering committee")
    # Bodies of the map before 01/07/2025 (three tiers), for historic records and directives: the
    # district level was abolished on 01/07/2025, district police on 01/03/2025, and the labour,
    # invalids and social affairs bodies (MOLISA's) were dissolved in 03/2025, their victim-support
    # work going to the Departments of Health (legal-vn.md §6).
    DISTRICT_PEOPLES_COMMITTEE = "district_committee", _("District People's Committee (before 01/07/2025)")
    DISTRICT_POLICE = "district_police", _("District police (before 01/03/2025)")
    DISTRICT_LABOUR_OFFICE = "district_labour_office", _("District Office of Labour, Invalids and Social Affairs")
    PROVINCIAL_LABOUR_DEPARTMENT = "labour_department", _("Department of Labour, Invalids and Social Affairs")


# Agency types that existed only on the old map: an agency of these types has a last day.
HISTORIC_AGENCY_TYPES = frozenset(
    {
        AgencyType.DISTRICT_PEOPLES_COMMITTEE,
        AgencyType.DISTRICT_POLICE,
        AgencyType.DISTRICT_LABOUR_OFFICE,
        AgencyType.PROVINCIAL_LABOUR_DEPARTMENT,
    }
)


class Agency(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    agency_type = models.CharField(_("agency type"), max_length=32, choices=AgencyType.choices)
    unit = models.ForeignKey(
        AdministrativeUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="agencies"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_active = models.BooleanField(_("active"), default=True)
    # The days the agency existed under this name (empty: not known / still exists). A historic
    # record or directive names the agency of its day: a district People's Committee in 2024.
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="agency_name_unique_per_unit"),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_from__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="agency_validity_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_valid_on(self, day) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)


class User(AbstractUser):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    # Staff contact numbers are personal data too: sealed at rest like a victim's.
    phone = EncryptedTextField(_("phone"))

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.full_name or self.username


class Membership(models.Model):
    """A user's place in the organisation: works for an agency, over a unit, in a role."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="memberships")
    unit = models.ForeignKey(
        AdministrativeUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "agency", "unit", "role"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.agency}"


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only a SHA-256 of the token is stored."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"token {self.id} for {self.user}"
