"""`{% once name … %}…{% endonce %}`: a piece of the page frame rendered once per process for each
language and each value of the variables it names, then reused.

The frame of every page (the head's static files, the menu, the footer) is the same for every reader
with the same capabilities, but cost a fifth of a short page: each `{% translate %}` is about 6 µs,
each `{% static %}` 11 µs. The piece is rendered in a context holding only the variables named (and
LANGUAGE_CODE), so a variable of the reader's own that is not named prints nothing, never another
reader's value; the key holds the language and the named values. Named values must be plain data
(text, numbers, dicts, sets, lists of them). Kept in the process: the pieces change only with the code
and its translations, which a new process loads.
"""

from django import template
from django.template import Context
from django.utils.translation import get_language

register = template.Library()

_MAX_KEPT = 256  # per piece: languages × capability sets × URL prefixes


def _frozen(value):
    """A hashable stand-in for a plain value, equal for equal values."""
    if isinstance(value, dict):
        return ("dict", tuple(sorted((key, _frozen(item)) for key, item in value.items())))
    if isinstance(value, set | frozenset):
        return ("set", frozenset(_frozen(item) for item in value))
    if isinstance(value, list | tuple):
        return ("seq", tuple(_frozen(item) for item in value))
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"{{% once %}} keeps pieces by plain values only, not {type(value).__name__}")


class OnceNode(template.Node):
    def __init__(self, nodelist, names: tuple[str, ...]):
        self.nodelist = nodelist
        self.names = names
        self.kept: dict = {}

    def render(self, context) -> str:
        values = {name: context.get(name) for name in self.names}
        language = get_language()
        key = (language, *(_frozen(values[name]) for name in self.names))
        found = self.kept.get(key)
        if found is None:
            own = Context({**values, "LANGUAGE_CODE": language}, autoescape=context.autoescape)
            own.template = context.template  # for tags that read the template's engine (static, url)
            found = self.nodelist.render(own)
            if len(self.kept) >= _MAX_KEPT:
                self.kept.clear()
            self.kept[key] = found
        return found


@register.tag
def once(parser, token):
    names = tuple(token.split_contents()[1:])
    nodelist = parser.parse(("endonce",))
    parser.delete_first_token()
    return OnceNode(nodelist, names)
