"""A code list's labels in one language, translated once per process.

Lists print a label per row, and a lazy label is translated (the active language looked up) each time it
is printed. The translations change only with the code, which a new process loads."""

from collections.abc import Mapping
from functools import cache
from types import MappingProxyType

from django.db import models
from django.utils import translation

__all__ = ["choice_labels"]


@cache
def choice_labels(choices: type[models.Choices], language: str | None) -> Mapping[str, str]:
    """{code: label} of `choices` in `language`, read-only (shared by every request)."""
    with translation.override(language):
        return MappingProxyType({code: str(label) for code, label in choices.choices})
