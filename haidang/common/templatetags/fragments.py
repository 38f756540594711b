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

from types import MappingProxyType

from django import template
from django.template import Context
from django.template.loader_tags import BlockNode
from django.utils.translation import get_language

register = template.Library()

_MAX_KEPT = 256  # per piece: languages × capability sets × URL prefixes


# The frozen form of values that cannot change (a read-only mapping: the frame's links; a frozenset: the
# reader's capabilities, the same object while the scope is cached), kept by identity with the value itself.
_FROZEN_BY_IDENTITY: dict[int, tuple] = {}
_IMMUTABLE = (MappingProxyType, frozenset)


def _frozen(value):
    """A hashable stand-in for a plain value, equal for equal values."""
    if isinstance(value, _IMMUTABLE):
        kept = _FROZEN_BY_IDENTITY.get(id(value))
        if kept is not None and kept[0] is value:
            return kept[1]
        frozen = _freeze(value)
        if len(_FROZEN_BY_IDENTITY) >= _MAX_KEPT:
            _FROZEN_BY_IDENTITY.clear()
        _FROZEN_BY_IDENTITY[id(value)] = (value, frozen)
        return frozen
    return _freeze(value)


def _freeze(value):
    if isinstance(value, dict | MappingProxyType):
        return ("dict", tuple(sorted((key, _frozen(item)) for key, item in value.items())))
    if isinstance(value, set | frozenset):
        return ("set", frozenset(_frozen(item) for item in value))
    if isinstance(value, list | tuple):
        return ("seq", tuple(_frozen(item) for item in value))
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"{{% once %}} keeps pieces by plain values only, not {type(value).__name__}")


class OnceNode(template.Node):
    # Not walked by `get_nodes_by_type`: `{% extends %}` walks the parent's whole tree for its blocks at every
    # render, and the frame's menu is inside a piece (a block cannot be, see `once`).
    child_nodelists = ()

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
    if nodelist.get_nodes_by_type(BlockNode):
        raise template.TemplateSyntaxError("{% once %} cannot hold a {% block %}: a piece is rendered once, as it is.")
    return OnceNode(nodelist, names)
