"""Model fields for identifying data."""

from django.db import models

from haidang.common import crypto
from haidang.common.text import nfc


class EncryptedTextField(models.TextField):
    """Text sealed at rest with the active field key; read back as plain text in Python.

    Such a column cannot be searched or sorted in SQL: match exactly through a keyed hash
    stored beside it (see `crypto.keyed_hash`), or through a non-identifying folded key.
    """

    description = "Text encrypted at rest (AES-256-GCM)"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("blank", None)
        kwargs.pop("default", None)
        return name, path, args, kwargs

    @property
    def encryption_context(self) -> str:
        return f"{self.model._meta.label_lower}.{self.name}"

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        value = nfc(str(value))
        if crypto.is_sealed(value):
            return value
        return crypto.seal(value, context=self.encryption_context)

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        if not crypto.is_sealed(value):
            # Never expected; refuse rather than hand out an unprotected value silently.
            raise crypto.DecryptionError(f"{self.encryption_context} holds an unsealed value")
        return crypto.open_sealed(value, context=self.encryption_context)

    def get_lookup(self, lookup_name):
        if lookup_name not in {"isnull", "exact"}:
            raise TypeError(f"Encrypted field {self.name} cannot be queried with '{lookup_name}'.")
        return super().get_lookup(lookup_name)
