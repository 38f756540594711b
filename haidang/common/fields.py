"""Model fields for identifying data."""

from typing import Any

from django.core import checks
from django.core.exceptions import FieldError
from django.db import models
from django.db.models.lookups import Exact, IsNull

from haidang.common import crypto
from haidang.common.text import nfc


class EncryptedExact(Exact):
    """`field=""` only: every seal uses a fresh nonce, so equal plaintexts never compare equal in SQL.

    Without this, `filter(phone="0912…")` would seal the right-hand side and silently match nothing.
    """

    def get_prep_lookup(self) -> Any:
        if isinstance(self.rhs, str) and self.rhs == "":
            return super().get_prep_lookup()
        raise FieldError(
            f"Encrypted field {self.lhs.output_field.name!r} can only be compared with ''; "
            "match exact values through a keyed hash stored beside it (crypto.keyed_hash)."
        )


class EncryptedTextField(models.TextField):
    """Text sealed at rest with the active field key; read back as plain text in Python.

    Such a column cannot be searched or sorted in SQL: match exactly through a keyed hash
    stored beside it (see `crypto.keyed_hash`), or through a non-identifying folded key.
    Only `isnull` and `exact` with '' are allowed as lookups.

    A value is bound to '<app_label>.<model>.<field name>' (associated data), so renaming the
    model or the field needs a data migration that opens under the old name and seals again.
    """

    description = "Text encrypted at rest (AES-256-GCM)"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[str, str, list[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        # Migrations record only departures from this field's own defaults (blank=True, default=""),
        # so an explicit blank=False survives and the autodetector sees no change either way.
        if self.blank:
            kwargs.pop("blank", None)
        else:
            kwargs["blank"] = False
        if kwargs.get("default") == "":
            del kwargs["default"]
        return name, path, args, kwargs

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        errors = super().check(**kwargs)
        if self.primary_key or self.unique or self.db_index:
            # Ciphertexts are randomised: a unique constraint or index on them protects nothing.
            errors.append(
                checks.Error(
                    "EncryptedTextField cannot be a primary key, unique or indexed.",
                    hint="Put the constraint or index on a keyed hash stored beside it.",
                    obj=self,
                    id="common.E001",
                )
            )
        return errors

    @property
    def encryption_context(self) -> str:
        return f"{self.model._meta.label_lower}.{self.name}"

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        # Always seal: Django prepares a value once per write, and a plaintext that merely looks
        # like 'enc:…' must not be stored as it is. Re-sealing raw values (key rotation) goes
        # through expressions with a plain TextField output, which never reach this method.
        return crypto.seal(nfc(str(value)), context=self.encryption_context)

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        if not crypto.is_sealed(value):
            # Never expected; refuse rather than hand out an unprotected value silently.
            raise crypto.DecryptionError(f"{self.encryption_context}: holds a value that is not sealed")
        return crypto.open_sealed(value, context=self.encryption_context)

    def get_lookup(self, lookup_name: str) -> type[models.Lookup]:
        if lookup_name == "exact":
            return EncryptedExact
        if lookup_name == "isnull":
            return IsNull
        raise FieldError(f"Encrypted field {self.name!r} cannot be queried with '{lookup_name}'.")

    def get_transform(self, lookup_name: str) -> None:
        raise FieldError(f"Encrypted field {self.name!r} cannot be queried with '{lookup_name}'.")
