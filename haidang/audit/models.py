"""The audit log: append-only entries, each hash-chained to the one before.

Entries are written only by `services.record_event` (or `record_events`, many at once). The database
refuses UPDATE, DELETE and TRUNCATE on the entry table (triggers installed by migration 0003, SQL in `db.py`); the model
and its queryset refuse them in Python as well, so a mistake fails loudly before reaching SQL.

The hash covers the text columns (`actor_username`, `unit_code`, ...), not the foreign keys:
those are navigation aids that Django sets to NULL when a user or unit is deleted, the one
change the triggers allow.
"""

from django.conf import settings
from django.db import models, router
from django.utils.translation import gettext_lazy as _

from haidang.common.bulkinsert import insert_row, insert_rows


class AppendOnlyError(Exception):
    """An attempt to change or remove an audit entry."""


# Only what on_delete=SET_NULL does to the links may ever be written to an existing entry.
NULLABLE_LINKS = frozenset({"actor", "actor_id", "unit", "unit_id"})


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        if not kwargs or set(kwargs) - NULLABLE_LINKS or any(value is not None for value in kwargs.values()):
            raise AppendOnlyError("The audit log is append-only.")
        return super().update(**kwargs)

    def delete(self):
        raise AppendOnlyError("The audit log is append-only.")

    def bulk_create(self, *args, **kwargs):
        raise AppendOnlyError("Audit entries are written through record_event or record_events.")

    def append_many(self, rows: list[dict], *, batch_size: int):
        """The insert behind `services.record_events`: entries (fields by attname) numbered and hashed,
        never changed after."""
        if any(not isinstance(row, dict) or row.get("id") is None or not row.get("entry_hash") for row in rows):
            raise AppendOnlyError("Write audit entries through haidang.audit.services.record_events.")
        insert_rows(AuditEntry, rows, batch_size=batch_size)
        return rows

    def append(self, entry: "AuditEntry") -> "AuditEntry":
        """The insert behind `services.record_event`: one numbered, hashed entry, written by the prepared
        insert of `common.bulkinsert` (a model save compiles its INSERT each time, and every audited
        read pays for it)."""
        if not entry._state.adding or entry.pk is None or not entry.entry_hash:
            raise AppendOnlyError("Write audit entries through haidang.audit.services.record_event.")
        insert_row(AuditEntry, {name: entry.__dict__.get(name) for name in _ATTNAMES})
        entry._state.adding = False
        entry._state.db = router.db_for_write(AuditEntry)
        return entry

    def bulk_update(self, *args, **kwargs):
        raise AppendOnlyError("The audit log is append-only.")


class AuditEntry(models.Model):
    # Numbered by the database sequence, taken by record_event before the insert (the id is
    # hashed). A rolled-back write leaves a gap; the sealer records every gap of a sealed batch
    # (`AuditSeal.absent`), so once sealed, a missing id that is not a recorded gap was removed.
    id = models.BigAutoField(primary_key=True)
    occurred_at = models.DateTimeField(_("when"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept as text: users can be renamed or deleted, the log must still say who it was.
    actor_username = models.CharField(_("user name"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    role = models.CharField(_("role"), max_length=255, blank=True)
    action = models.CharField(_("action"), max_length=64)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    unit = models.ForeignKey(
        "places.AdministrativeUnit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # Led by the (unit, -id) index below.
    )
    unit_code = models.CharField(_("unit code"), max_length=16, blank=True)
    changes = models.JSONField(_("changed fields"), default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    prev_hash = models.CharField(max_length=64)
    # Not a unique index: the hash covers the id, so two entries cannot share one, and nothing looks an
    # entry up by it; the seals and `verify_audit` are what catch a changed hash. Every audited read
    # writes an entry, and a unique index on random text was the dearest of its index writes.
    entry_hash = models.CharField(max_length=64)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        db_table = "audit_entry"
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-id"]
        # Each auditor filter is an equality plus "newest first", i.e. a walk down one of these.
        indexes = [
            models.Index(fields=["occurred_at"], name="audit_entry_when"),
            models.Index(fields=["actor_username", "-id"], name="audit_entry_actor"),
            models.Index(fields=["unit", "-id"], name="audit_entry_unit"),
            models.Index(fields=["object_type", "object_id", "-id"], name="audit_entry_object"),
            models.Index(fields=["action", "-id"], name="audit_entry_action"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("The audit log is append-only: an entry cannot be changed.")
        if not self.entry_hash or self.pk is None:
            raise AppendOnlyError("Write audit entries through haidang.audit.services.record_event.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The audit log is append-only: an entry cannot be deleted.")


_ATTNAMES = tuple(field.attname for field in AuditEntry._meta.concrete_fields)


class AuditSealQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit seals are append-only.")

    def delete(self):
        raise AppendOnlyError("Audit seals are append-only.")


class AuditSeal(models.Model):
    """One sealed batch of entries: ids (previous seal's last_id, last_id], chained to the seal before.

    Written only by `sealing.seal_pending`; the same triggers as the entries refuse UPDATE, DELETE
    and TRUNCATE. `leaves` keeps each present entry's hash as sealed (32 bytes each, in id order),
    so `verify_audit` can name an entry rewritten together with its hash; `absent` lists the ids
    of the range that had no entry when sealed (rolled-back writes).
    """

    seq = models.BigIntegerField(primary_key=True)
    first_id = models.BigIntegerField()
    last_id = models.BigIntegerField(unique=True)
    entry_count = models.IntegerField()
    absent = models.JSONField(default=list, blank=True)
    leaves = models.BinaryField()
    merkle_root = models.CharField(max_length=64)
    prev_hash = models.CharField(max_length=64)
    seal_hash = models.CharField(max_length=64, unique=True)
    sealed_at = models.DateTimeField()
    # Ed25519 over seal_hash, by the key whose public half is `public_key` (both hex).
    signature = models.CharField(max_length=128)
    public_key = models.CharField(max_length=64)

    objects = AuditSealQuerySet.as_manager()

    class Meta:
        db_table = "audit_seal"
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"audit seal {self.seq} (entries {self.first_id}–{self.last_id})"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Audit seals are append-only.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit seals are append-only.")

    def leaf_list(self) -> list[bytes]:
        raw = bytes(self.leaves)
        return [raw[i : i + 32] for i in range(0, len(raw), 32)]
