"""Exports in HTCDS v2: one row per export asked for, by audience, with who asked, who approved, and when the
file was taken. The file itself is never stored: it is written from the records when it is downloaded."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from haidang.access.models import Agency
from haidang.cases.models import Disclosure
from haidang.common.ids import new_id
from haidang.places.models import AdministrativeUnit


class ExportAudience(models.TextChoices):
    PARTNER = "partner", _("Case exchange with a partner agency (identifiable, with consent)")
    RESEARCH = "research", _("Pseudonymised research extract")


class ExportFormat(models.TextChoices):
    CSV = "csv", _("CSV")
    JSON = "json", _("JSON")


class ExportStatus(models.TextChoices):
    REQUESTED = "requested", _("Waiting for approval")
    READY = "ready", _("Ready to download")
    DOWNLOADED = "downloaded", _("Downloaded")
    REFUSED = "refused", _("Refused")


class Export(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    audience = models.CharField(_("audience"), max_length=16, choices=ExportAudience.choices)
    recipient = models.ForeignKey(Agency, verbose_name=_("recipient"), on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(_("purpose"), max_length=200)
    file_format = models.CharField(_("format"), max_length=8, choices=ExportFormat.choices, default=ExportFormat.CSV)
    # The area whose cases are exported (the requester's), for who else may see and approve the export.
    unit = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=ExportStatus.choices)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    downloaded_at = models.DateTimeField(null=True, blank=True)
    # Counts when asked for (and again when downloaded): rows, cases left out for lack of consent, and the
    # k-anonymity report of a research extract. Never which cases.
    row_count = models.PositiveIntegerField(default=0)
    left_out = models.PositiveIntegerField(default=0)
    redaction = models.JSONField(default=dict, blank=True)
    # A partner exchange, once downloaded: the disclosure it made (each case sent, with its consent).
    disclosure = models.OneToOneField(
        Disclosure, null=True, blank=True, on_delete=models.PROTECT, related_name="export"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-requested_at"]
        constraints = [
            # Four eyes: the approver is never the requester.
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=models.F("requested_by")),
                name="export_approver_not_requester",
            ),
        ]

    def __str__(self) -> str:
        return f"export {self.pk}"
