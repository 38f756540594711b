"""Releases: the one way figures leave the case-handling chain.

A release is a versioned set of tables for one audience, built from the query service, protected
by `disclosure`, approved by a named user other than its author and then published. Each table
keeps two things apart: `cells` (the figures that may leave: published counts, None for a
suppressed cell, shares) and `internal` (the true counts and why each cell is hidden), which only
the statistics pages for signed-in staff ever read.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from haidang.common.ids import new_id
from haidang.places.models import AdministrativeUnit
from haidang.reporting.periods import PeriodError, parse


class Audience(models.TextChoices):
    # The tiers of reporting-privacy B4.
    PUBLIC = "public", _("Public (anyone, no sign-in)")
    PARTNERS = "partners", _("Partners (donors and other agencies)")
    INTERNAL = "internal", _("Internal (government reporting)")


class ReleaseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", pgettext_lazy("release", "Approved")
    PUBLISHED = "published", pgettext_lazy("release", "Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Release(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    # Every version of the same release shares its series; version 1, 2, ...
    series = models.UUIDField(default=new_id, db_index=True, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1)
    title = models.CharField(_("title"), max_length=200)
    note = models.TextField(_("note"), blank=True)
    audience = models.CharField(_("audience"), max_length=16, choices=Audience.choices)
    indicators = models.JSONField(_("indicators"), default=list)
    breakdowns = models.JSONField(_("breakdowns"), default=list)
    period = models.CharField(_("period"), max_length=32)  # a Period identifier
    period_start = models.DateField()
    period_end = models.DateField()
    # The area: None is the whole country.
    unit = models.ForeignKey(
        AdministrativeUnit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The rows: 0 the area itself only, 1 its provinces, 3 its communes.
    level = models.PositiveSmallIntegerField(_("level"), default=0)
    status = models.CharField(_("status"), max_length=16, choices=ReleaseStatus.choices, default=ReleaseStatus.DRAFT)
    rules = models.JSONField(default=dict)  # the disclosure rule set applied (version and parameters)
    audit = models.JSONField(default=dict)  # the audit summary: passed, cells checked, narrowest range
    audit_ranges = models.JSONField(default=list)  # internal: each suppressed cell's feasible range
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("statistics release")
        verbose_name_plural = _("statistics releases")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["series", "version"], name="release_version_unique"),
            # Four eyes: the approver is never the author.
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=models.F("created_by")),
                name="release_approver_not_author",
            ),
        ]
        indexes = [models.Index(fields=["status", "audience", "-published_at"], name="release_listing")]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    @property
    def period_label(self) -> str:
        try:
            return parse(self.period).label
        except PeriodError:
            return self.period

    @property
    def is_public(self) -> bool:
        return self.status == ReleaseStatus.PUBLISHED and self.audience == Audience.PUBLIC


class ReleaseTable(models.Model):
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="tables")
    position = models.PositiveSmallIntegerField(default=0)
    indicator = models.CharField(max_length=64)
    breakdown = models.CharField(max_length=32, blank=True)  # "" for totals only
    title = models.CharField(max_length=300)
    protected = models.BooleanField(default=True)  # False: not about persons, published as counted
    # What may leave: {"rows": [{"code", "label"}], "columns": [{"code", "label"}],
    #  "cells": {"<row>|<column>": {"value": int | None, "share": int | None}}}
    cells = models.JSONField(default=dict)
    # Never leaves: {"<row>|<column>": {"value": true count, "reason": why hidden or ""}}
    internal = models.JSONField(default=dict)

    class Meta:
        ordering = ["release", "position"]
        constraints = [models.UniqueConstraint(fields=["release", "position"], name="release_table_position_unique")]

    def __str__(self) -> str:
        return self.title
