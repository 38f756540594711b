"""Rows a page prints many times, filled in without the template engine's work for every value.

A list page prints hundreds of values (the worklist: 50 cases of 7 values, 50 steps of 7); Django's
engine resolves, localises and escapes each one through a dozen calls, which was half of the
worklist's rendering. A row's HTML stays in a template file, with a `{name}` slot where each value
goes. Django renders that file once per language and variant (its labels translated, its
`{% if %}` decided by the variant), and each row then fills the slots with `str.format_map`. Every
value is escaped as the engine escapes it (`html.escape`; a value already marked safe is printed as
it is). Values are text; None prints nothing.

The rendered patterns are kept in the process: they change only with the code and its translations,
which a new process loads.
"""

from __future__ import annotations

import html
import re
import string
from collections.abc import Callable, Iterable, Mapping

from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

__all__ = ["RowPattern"]


_NEEDS_ESCAPING = re.compile("[&<>\"']").search


def _escaped(value) -> str:
    if type(value) is str:
        # Most values hold none of the five characters: one scan instead of five replacements.
        return html.escape(value) if _NEEDS_ESCAPING(value) else value
    if value is None:
        return ""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def _no_variant(row: Mapping) -> tuple:
    return ()


class RowPattern:
    """The rows of one template file (`template_name`), whose slots are exactly `slots`."""

    def __init__(self, template_name: str, slots: Iterable[str]):
        self.template_name = template_name
        self.slots = tuple(slots)
        self._patterns: dict[tuple, str] = {}

    def pattern(self, variant: tuple = (), language: str | None = None) -> str:
        """The row's HTML in the active language (or `language`, the active one read by the caller) for
        `variant` (pairs of name and value given to the template), with its slots still empty."""
        key = (language or get_language(), variant)
        found = self._patterns.get(key)
        if found is None:
            found = render_to_string(self.template_name, dict(variant))
            named = {name for _text, name, _spec, _conv in string.Formatter().parse(found) if name is not None}
            if named != set(self.slots):
                # A brace in a translation, or a slot renamed on one side only: fail loudly, not print a gap.
                raise ImproperlyConfigured(
                    f"{self.template_name} has the slots {sorted(named)}, the view fills {sorted(self.slots)}."
                )
            self._patterns[key] = found
        return found

    def render(self, rows: Iterable[Mapping], variant: Callable[[Mapping], tuple] = _no_variant) -> SafeString:
        """Every row filled in, as one piece of safe HTML."""
        slots, language = self.slots, get_language()  # once: reading the active language costs a lookup each time
        out = []
        for row in rows:
            pattern = self.pattern(variant(row), language)
            out.append(pattern.format_map({name: _escaped(row[name]) for name in slots}))
        return mark_safe("".join(out))  # noqa: S308 (each value escaped above; the pattern is our template)
