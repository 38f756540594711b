"""Imports of registers: the uploaded file and its batch, the rows staged by the dry run, and the link
from a register's own number (the source key) to the record it became, so that importing the same
file twice changes nothing."""

import json

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from haidang.access.models import Agency
from haidang.common.fields import EncryptedTextField
from haidang.common.ids import new_id
from haidang.common.models import UploadedFile
from haidang.places.models import AdministrativeUnit


class ImportKind(models.TextChoices):
    CASES = "cases", _("Victim case register")
    ACTIVITIES = "activities", _("Prevention activities")
    CRIMINAL_CASES = "criminal_cases", _("Criminal cases with suspects")
    SUPPORT = "support", _("Support items")
    HTCDS = "htcds", _("HTCDS v2 records from a partner")


# The registers uploaded on the imports page (an HTCDS file comes from a partner, on a page of its own).
REGISTER_KINDS = tuple((code, label) for code, label in ImportKind.choices if code != ImportKind.HTCDS)


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to be read")
    RUNNING = "running", _("Being read")
    DRY_RUN = "dry_run", _("Read, with errors")
    VALIDATED = "validated", _("Read, ready to commit")
    COMMITTED = "committed", _("Committed")
    FAILED = "failed", _("Failed")


class RowAction(models.TextChoices):
    CREATE = "create", _("Create")
    UPDATE = "update", _("Update")
    UNCHANGED = "unchanged", _("Unchanged")
    ERROR = "error", _("Error")


class ImportBatch(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=ImportKind.choices)
    status = models.CharField(_("status"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    file_hash = models.CharField(_("file hash"), max_length=64)
    content_type = models.CharField(max_length=100)
    update_existing = models.BooleanField(_("update existing records"), default=False)
    # The importer's unit and agency (their first membership with the capability): the scope the rows take.
    unit = models.ForeignKey(AdministrativeUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    committed_at = models.DateTimeField(null=True, blank=True)
    row_count = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    warning_count = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    # An HTCDS import: the partner agency the records come from (its case ids are the source keys), and the
    # intake channel the cases are recorded with.
    partner = models.ForeignKey(
        Agency, verbose_name=_("partner agency"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    intake_channel = models.CharField(_("intake channel"), max_length=30, blank=True)
    # Errors of the file as a whole (headers, a damaged sheet): [{"row", "column", "value", "message"}].
    file_errors = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created_at:%d/%m/%Y}"

    @property
    def progress(self) -> int:
        """Per cent of the rows read (100 once the dry run is over)."""
        if self.status not in (ImportStatus.QUEUED, ImportStatus.RUNNING):
            return 100
        if not self.row_count:
            return 0
        return min(99, self.rows_done * 100 // self.row_count)


class ImportFile(UploadedFile):
    batch = models.OneToOneField(ImportBatch, on_delete=models.CASCADE, related_name="upload")
    file = models.FileField(upload_to="exchange/imports/%Y/%m/")

    class Meta(UploadedFile.Meta):
        verbose_name = _("imported file")


class StagedRow(models.Model):
    # Led by the (batch, row_number) constraint below.
    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rows", db_index=False)
    row_number = models.PositiveIntegerField()
    source_key = models.CharField(max_length=120, blank=True)
    # The row's values, errors and warnings as JSON, sealed: a register names people.
    sealed = EncryptedTextField()
    error_count = models.PositiveIntegerField(default=0)
    warning_count = models.PositiveIntegerField(default=0)
    action = models.CharField(max_length=10, choices=RowAction.choices)
    row_hash = models.CharField(max_length=64, blank=True)
    # For an update: the record and the version read at the dry run (checked again at commit).
    target_id = models.CharField(max_length=64, blank=True)
    target_version = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["batch", "row_number"]
        constraints = [models.UniqueConstraint(fields=["batch", "row_number"], name="staged_row_unique")]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.row_number}"

    def seal(self, *, payload: dict, errors: list, warnings: list) -> None:
        self.sealed = json.dumps({"p": payload, "e": errors, "w": warnings}, ensure_ascii=False)
        self.error_count, self.warning_count = len(errors), len(warnings)
        self.__dict__["_opened"] = {"p": payload, "e": errors, "w": warnings}

    def _open(self) -> dict:
        if "_opened" not in self.__dict__:
            self.__dict__["_opened"] = json.loads(self.sealed) if self.sealed else {"p": {}, "e": [], "w": []}
        return self.__dict__["_opened"]

    @property
    def payload(self) -> dict:
        return self._open()["p"]

    @property
    def errors(self) -> list:
        return self._open()["e"]

    @property
    def warnings(self) -> list:
        return self._open()["w"]


class ImportLink(models.Model):
    """The record a register's row became: (kind, unit of the register keeper, source key) → record."""

    kind = models.CharField(max_length=20, choices=ImportKind.choices)
    unit = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="+")
    source_key = models.CharField(max_length=120)
    target_id = models.CharField(max_length=64)
    row_hash = models.CharField(max_length=64)
    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="links")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "unit", "source_key"], name="import_link_unique")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.source_key}"
