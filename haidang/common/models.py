from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from haidang.common.filetypes import check_upload
from haidang.common.ids import new_id


class UploadedFile(models.Model):
    """What every stored upload records; its type is checked by content (`filetypes.check_upload`).

    Subclasses add the record the file belongs to and the `file` field with their own folder.
    """

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.original_name

    @classmethod
    def store(cls, uploaded_file, *, max_bytes: int, uploaded_by, checks: dict | None = None, **owner):
        """Check the upload by content (`filetypes.check_upload`, ValidationError on `file`) and save it
        under the new record's id; `owner` names the record it belongs to (e.g. activity=...); `checks`
        are further limits for `check_upload` (`accept`, `max_rows`)."""
        upload = check_upload(uploaded_file, max_bytes=max_bytes, **(checks or {}))
        attachment = cls(
            original_name=upload.name,
            content_type=upload.content_type,
            size=upload.size,
            uploaded_by=uploaded_by,
            **owner,
        )
        attachment.file.save(f"{attachment.id}", uploaded_file, save=False)
        attachment.save()
        return attachment

    def audit_changes(self) -> dict:
        """What an audit entry says of the file: never its name, which may identify someone."""
        return {"attachment": str(self.id), "size": self.size, "content_type": self.content_type}


class SharedVersion(models.Model):
    """The version of data that is the same for everyone (the map, ...), for `haidang.common.shared`.

    Each process keeps such data in memory with the version it was read at; whoever changes the
    data moves the version on in the same transaction, and every process, on every machine, reads
    the version once per request and drops what it kept from an older one.
    """

    topic = models.CharField(max_length=40, primary_key=True)
    version = models.BigIntegerField(default=0)

    class Meta:
        db_table = "common_shared_version"

    def __str__(self) -> str:
        return f"{self.topic} v{self.version}"
