"""The hash chain: one canonical form of an entry and the hash that links it to the one before.

entry_hash = SHA-256( prev_hash + "\\n" + canonical JSON of the hashed fields )

The canonical JSON has sorted keys, no white space and a fixed field list; the time is written
in UTC with microseconds and the address in its normal form, so the same entry hashes the same
after a round trip through SQLite or PostgreSQL. Chain order is id order; the first entry's
prev_hash is GENESIS_HASH.
"""

import hashlib
import ipaddress
import json
from datetime import UTC, datetime
from typing import Any

GENESIS_HASH = "0" * 64
HEAD_ID = 1

# Changing this list or the serialisation below invalidates every stored hash.
HASHED_FIELDS = (
    "id",
    "occurred_at",
    "actor_username",
    "ip",
    "role",
    "action",
    "object_type",
    "object_id",
    "unit_code",
    "changes",
    "reason",
)


def canonical_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_ip(value: str | None) -> str:
    if not value:
        return ""
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return str(value)


def canonical_content(entry: Any) -> str:
    values = {name: getattr(entry, name) for name in HASHED_FIELDS}
    values["id"] = int(values["id"])
    values["occurred_at"] = canonical_time(values["occurred_at"])
    values["ip"] = canonical_ip(values["ip"])
    values["changes"] = values["changes"] if values["changes"] is not None else {}
    for name in ("actor_username", "role", "action", "object_type", "object_id", "unit_code", "reason"):
        values[name] = values[name] or ""
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def compute_hash(prev_hash: str, entry: Any) -> str:
    payload = f"{prev_hash}\n{canonical_content(entry)}"
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
