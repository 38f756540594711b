"""Typed readers for settings from the environment.

Each helper fails loudly with ImproperlyConfigured on a value it cannot use, so a
mistyped variable stops the process at start-up instead of running half-configured.
A secret may also be given as a file path in NAME_FILE (container secrets).
"""

import os
from datetime import date
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None:
        if default is None:
            raise ImproperlyConfigured(f"Environment variable {name} is required.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false, 1/0, yes/no), not {value!r}.")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {number}.")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: set[str]) -> str:
    value = os.environ.get(name, default)
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {sorted(choices)}, not {value!r}.")
    return value


def env_secret(name: str) -> str | None:
    """The secret in NAME, or the contents of the file named by NAME_FILE, or None."""
    value = os.environ.get(name)
    file_name = os.environ.get(f"{name}_FILE")
    if value is not None and file_name is not None:
        raise ImproperlyConfigured(f"Set only one of {name} and {name}_FILE.")
    if file_name is not None:
        path = Path(file_name)
        if not path.is_file():
            raise ImproperlyConfigured(f"{name}_FILE points to {file_name}, which is not a readable file.")
        return path.read_text(encoding="utf-8").strip()
    return value


def env_dates(name: str, default: str) -> list[date]:
    """Comma-separated ISO dates (2026-09-02,...)."""
    dates = []
    for item in os.environ.get(name, default).split(","):
        item = item.strip()
        if not item:
            continue
        try:
            dates.append(date.fromisoformat(item))
        except ValueError:
            raise ImproperlyConfigured(f"{name} must list ISO dates (YYYY-MM-DD), not {item!r}.") from None
    return dates
