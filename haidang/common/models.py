import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class UploadedFile(models.Model):
    """What every stored upload records; its type is checked by content (`filetypes.check_upload`).

    Subclasses add the record the file belongs to and the `file` field with their own folder.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
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
