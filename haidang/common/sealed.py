"""Where sealed values live: every concrete model with an EncryptedTextField, found by introspection.

Used by key rotation (`rotate_field_keys`), by `dumpdata` (which refuses these models) and by backup and
restore (which count the values per key and open a sample of them).
"""

from collections.abc import Iterator
from dataclasses import dataclass, field

from django.apps import apps
from django.db import models
from django.db.models import ExpressionWrapper, F

from haidang.common.fields import EncryptedTextField


@dataclass
class Target:
    """One concrete model with its encrypted columns, each read raw through an alias."""

    model: type[models.Model]
    fields: list[EncryptedTextField]
    aliases: list[str] = field(init=False)

    def __post_init__(self) -> None:
        self.aliases = [f"_sealed_{index}" for index in range(len(self.fields))]

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    def queryset(self, using: str) -> models.QuerySet:
        # The base manager sees every row (a custom default manager may hide some); the
        # plain TextField output skips decryption so the stored text is read as it is.
        raw = {
            alias: ExpressionWrapper(F(fld.attname), output_field=models.TextField())
            for alias, fld in zip(self.aliases, self.fields, strict=True)
        }
        return self.model._base_manager.using(using).annotate(**raw)


def encrypted_targets() -> Iterator[Target]:
    """Every concrete model with an EncryptedTextField, found by introspection."""
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy:
            continue
        # Local fields only: a parent's columns are handled once, on the parent model.
        fields = [fld for fld in model._meta.local_concrete_fields if isinstance(fld, EncryptedTextField)]
        if fields:
            yield Target(model=model, fields=fields)


def sealed_models() -> list[type[models.Model]]:
    return [target.model for target in encrypted_targets()]
