"""JSON in C (orjson) where the standard library's text or values are expected: the bulk inserts' JSON
columns, and what an import reads back from its staged rows. Each falls back to the standard library for
what orjson refuses (an integer past 64 bits), so nothing a caller could send reads or writes otherwise."""

import json
from collections.abc import Callable

import orjson

__all__ = ["json_loads", "json_text"]


def json_text(encoder: type[json.JSONEncoder] | None = None) -> Callable[[object], str]:
    """`json.dumps(value, cls=encoder)` written by orjson (several times faster): the same values, without
    spaces and with letters as they are instead of "\\u" escapes. What orjson writes otherwise (days and
    times: microseconds, "+00:00") goes to the encoder's `default`, as the standard library sends it there;
    a value orjson refuses (an integer past 64 bits, a key of another type) goes to the standard library
    whole."""
    default = encoder().default if encoder is not None else None
    options = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS

    def dumps(value) -> str:
        try:
            return orjson.dumps(value, default=default, option=options).decode()
        except TypeError:  # orjson.JSONEncodeError is one
            return json.dumps(value, cls=encoder)

    return dumps


def json_loads(text: str | bytes):
    """`json.loads(text)`, read by orjson."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)
