"""Agencies, users and their memberships (agency, unit, role), and API tokens."""

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from haidang.access.roles import Role
from haidang.common.fields import EncryptedTextField
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
    MISSION_ABROAD = "mission_abroad", _("Vietnamese mission abroad")
    MINISTRY = "ministry", _("Ministry")
    STEERING_COMMITTEE = "steering_committee", _("Steering committee")


class Agency(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
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
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="agency_name_unique_per_unit")]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
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

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
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

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"token {self.id} for {self.user}"
