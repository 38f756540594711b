"""Writing the audit log: `record_event` is the only way an entry is made.

An entry is appended inside the caller's transaction, so a write that rolls back leaves no
entry, and it is committed with (so before the answer to) the request that made it: nothing is
shown before its read is on record. Appenders do not wait for each other: each entry is hashed on
its own and the sealer chains them afterwards in id order (`sealing.py`).
"""

import inspect
import ipaddress
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from functools import lru_cache

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.functional import Promise

from haidang.audit.chain import compute_hash
from haidang.audit.middleware import get_current_request
from haidang.audit.models import AuditEntry
from haidang.audit.sealing import request_sealing_soon, reserve_entry_id, reserve_entry_ids

MASK = "***"


# --- Values ------------------------------------------------------------------------------------


def _text(value: str, max_length: int | None = None) -> str:
    # PostgreSQL refuses NUL in text; cutting to the column length here keeps the hash equal to
    # what the database stores on both backends.
    value = str(value).replace("\x00", "")
    return value[:max_length] if max_length else value


def jsonable(value):
    """`value` as plain JSON that reads back identically from SQLite and PostgreSQL."""
    # The exact types an entry mostly holds first, by type alone (a str enum or a datetime is not of these
    # types: they go below).
    kind = type(value)
    if kind is str:
        return _text(value)
    if value is None or kind is int or kind is bool:
        return value
    if kind is dict:
        return {_text(key): jsonable(item) for key, item in value.items()}
    if kind is list:
        return [jsonable(item) for item in value]
    if kind is date:
        return value.isoformat()
    return _other_jsonable(value)


def _other_jsonable(value):
    if isinstance(value, bool | int):
        return value
    if isinstance(value, Enum):
        return jsonable(value.value)
    if isinstance(value, str | Promise):
        return _text(value)
    if isinstance(value, float | Decimal):
        # jsonb rewrites numbers (1e16 comes back as 10000000000000000); text hashes the same.
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date | time | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        # The key, never str(): a person's __str__ is their name.
        return str(value.pk)
    if isinstance(value, Mapping):
        return {_text(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, set | frozenset):
        return sorted((jsonable(item) for item in value), key=repr)
    if isinstance(value, Iterable) and not isinstance(value, bytes | bytearray):
        return [jsonable(item) for item in value]
    return _text(value)


def masked_changes(changes: Mapping | None, identifying: Iterable[str] = ()) -> dict:
    """The changes as JSON, with the values of identifying fields replaced by '***'.

    An empty value stays empty: that a field was cleared says nothing about a person.
    """
    if not isinstance(identifying, frozenset | set):
        identifying = set(identifying)
    result = {}
    for key, value in (changes or {}).items():
        key_text = key.replace("\x00", "") if type(key) is str else _text(key)
        if key in identifying and value is not None and value != "":
            result[key_text] = MASK
        elif type(value) is str:  # `_text(value)`, without its call
            result[key_text] = value.replace("\x00", "")
        else:
            result[key_text] = jsonable(value)
    return result


# --- Request context ---------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _is_trusted_proxy(address: str, proxies: tuple[str, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _networks(proxies))


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or X-Forwarded-For when REMOTE_ADDR is a trusted proxy.

    X-Forwarded-For is read from the right, skipping our own proxies: everything to the left of
    the first untrusted address was written by the client and proves nothing.
    """
    peer = _valid_ip(request.META.get("REMOTE_ADDR"))
    proxies = tuple(getattr(settings, "AUDIT_TRUSTED_PROXIES", None) or ())
    if peer is None or not proxies or not _is_trusted_proxy(peer, proxies):
        return peer
    client = peer
    for part in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        address = _valid_ip(part.strip())
        if address is None:
            break
        client = address
        if not _is_trusted_proxy(address, proxies):
            break
    return client


def _valid_ip(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


# How an actor's roles are named in an entry. The log sits below access in the layers, so access
# provides this when it starts (`AccessConfig.ready`); until then an entry records no role.
def _no_roles(actor) -> Iterable[str]:
    return ()


_role_resolver: Callable[[object], Iterable[str]] = _no_roles


def set_role_resolver(resolver: Callable[[object], Iterable[str]]) -> None:
    """Called once by the access app: `resolver(user)` gives the user's active role codes."""
    global _role_resolver  # set once, at start-up
    _role_resolver = resolver


def _roles_of(actor) -> str:
    return ",".join(sorted(_role_resolver(actor)))


# --- Appending ---------------------------------------------------------------------------------


def _entry(**kwargs) -> AuditEntry:
    return AuditEntry(**_entry_fields(**kwargs))


def _entry_fields(
    *,
    action: str,
    actor=None,
    target: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    unit=None,
    changes: Mapping | None = None,
    reason: str = "",
    role: str = "",
    request=None,
    identifying: Iterable[str] = frozenset(),
) -> dict:
    """An entry's fields by name (`actor` and `unit` as objects), before its id, time and hash."""
    return {
        **_who(actor, role, request),
        **_what(action, target, object_type, object_id, unit, changes, reason, identifying),
    }


def _who(actor, role: str, request) -> dict:
    """Who acted, and from where: the same for every entry of one call of `record_events`."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None  # AnonymousUser: nobody signed in.
    if request is None:
        request = get_current_request()
    if not role and actor is not None:
        role = _roles_of(actor)
    return {
        "actor": actor,
        "actor_username": _text(actor.get_username() if actor is not None else "", 150),
        "ip": client_ip(request) if request is not None else None,
        "role": _text(role, 255),
    }


def _what(action, target, object_type, object_id, unit, changes, reason, identifying) -> dict:
    if target is not None:
        object_type = object_type or target._meta.label_lower
        object_id = object_id or str(target.pk)
    return {
        "action": _text(action, 64),
        "object_type": _text(object_type, 100),
        "object_id": _text(object_id, 64),
        "unit": unit,
        "unit_code": _text(unit.code if unit is not None else "", 16),
        "changes": masked_changes(changes, identifying),
        "reason": _text(reason),
    }


def record_event(
    *,
    action: str,
    actor=None,
    target: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    unit=None,
    changes: Mapping | None = None,
    reason: str = "",
    role: str = "",
    request=None,
    identifying: Iterable[str] = frozenset(),
) -> AuditEntry:
    """Append one entry to the audit log, inside the caller's transaction.

    `actor` is the acting user (None for the system); `target` names the object, or pass
    `object_type`/`object_id`. The values of `identifying` keys in `changes` are stored as
    '***'. The request (for the address) defaults to the one being served.
    """
    entry = _entry(
        action=action,
        actor=actor,
        target=target,
        object_type=object_type,
        object_id=object_id,
        unit=unit,
        changes=changes,
        reason=reason,
        role=role,
        request=request,
        identifying=identifying,
    )
    # savepoint=False: the entry belongs to the caller's transaction and fails with it.
    with transaction.atomic(savepoint=False):
        entry.id = reserve_entry_id()
        entry.occurred_at = timezone.now()
        entry.prev_hash = ""  # chained by the sealer, not here
        entry.entry_hash = compute_hash(entry.prev_hash, entry, written=True)
        AuditEntry.objects.append(entry)
        request_sealing_soon()
    return entry


# What an event of `record_events` may name: the keywords of `_entry_fields`, read off its signature.
_EVENT_KEYS = frozenset(inspect.signature(_entry_fields).parameters)


def record_events(events: Iterable[Mapping], *, batch_size: int = 2000) -> list[dict]:
    """Append many entries at once (an import: one per record written), inside the caller's transaction.

    Each item holds the keyword arguments of `record_event`. The ids are reserved as one block and the
    entries inserted by `batch_size` per statement; each is hashed on its own, exactly as `record_event`
    hashes it, and the sealer chains them afterwards in id order like any other entry. The entries are
    built as plain rows (fields by attname, as inserted), not model instances, and returned as such.
    """
    whos: dict = {}  # who acted and from where, worked out once per actor, role and request
    entries = []
    for event in events:
        if not _EVENT_KEYS.issuperset(event):
            raise TypeError(f"record_events: unknown keys {sorted(set(event) - _EVENT_KEYS)}")
        actor, role, request = event.get("actor"), event.get("role", ""), event.get("request")
        key = (type(actor), getattr(actor, "pk", None), role, id(request))
        who = whos.get(key)
        if who is None:
            who = whos[key] = _who(actor, role, request)
        entry = {
            **who,
            **_what(
                event["action"],
                event.get("target"),
                event.get("object_type", ""),
                event.get("object_id", ""),
                event.get("unit"),
                event.get("changes"),
                event.get("reason", ""),
                event.get("identifying", frozenset()),
            ),
        }
        actor, unit = entry.pop("actor"), entry.pop("unit")
        entry["actor_id"] = actor.pk if actor is not None else None
        entry["unit_id"] = unit.pk if unit is not None else None
        entries.append(entry)
    if not entries:
        return entries
    with transaction.atomic(savepoint=False):
        now = timezone.now()
        for entry, pk in zip(entries, reserve_entry_ids(len(entries)), strict=True):
            entry["id"] = pk
            entry["occurred_at"] = now
            entry["prev_hash"] = ""
            entry["entry_hash"] = compute_hash(entry["prev_hash"], entry, written=True)
        AuditEntry.objects.append_many(entries, batch_size=batch_size)
        request_sealing_soon()
    return entries
