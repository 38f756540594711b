"""The hashes: one canonical form of an entry, its hash, and the sealed batches that chain them.

entry_hash = SHA-256( prev_hash + "\\n" + canonical JSON of the hashed fields )

The canonical JSON has sorted keys, no white space and a fixed field list; the time is written
in UTC with microseconds and the address in its normal form, so the same entry hashes the same
after a round trip through SQLite or PostgreSQL. Entries written before the sealer existed were
chained one by one (prev_hash = the entry before, GENESIS_HASH for the first); entries written
since have prev_hash "" and are chained by the seals below.
"""

import hashlib
import ipaddress
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import orjson

GENESIS_HASH = "0" * 64

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


def canonical_content(entry: Any, *, written: bool = False) -> str:
    """The canonical JSON of an entry (an `AuditEntry`, or its fields by name: a bulk insert builds no instance).
    `written`: the entry is being written, its changes made by `audit.services.jsonable` (which writes no
    floats), so orjson writes it without looking (see `canonical_json`)."""
    if isinstance(entry, Mapping):
        values = {name: entry[name] for name in HASHED_FIELDS}
    else:
        values = {name: getattr(entry, name) for name in HASHED_FIELDS}
    values["id"] = int(values["id"])
    values["occurred_at"] = canonical_time(values["occurred_at"])
    values["ip"] = canonical_ip(values["ip"])
    values["changes"] = values["changes"] if values["changes"] is not None else {}
    for name in ("actor_username", "role", "action", "object_type", "object_id", "unit_code", "reason"):
        values[name] = values[name] or ""
    return canonical_json(values, floats=not written)


def canonical_json(values: Mapping, *, floats: bool = True) -> str:
    """`json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`, the text every stored hash
    was made from, written by orjson: the same text for what an entry holds (text, whole numbers, true, false,
    null, lists and objects). A float would be written otherwise (orjson's 1e-7 is Python's 1e-07) and an
    integer past 64 bits is refused by orjson: either goes to the standard library (`tests/test_chain.py`
    compares the two). `floats=False`: the caller knows there are none (an entry being written)."""
    if not (floats and _has_floats(values)):
        try:
            return orjson.dumps(values, option=orjson.OPT_SORT_KEYS).decode()
        except TypeError:  # orjson.JSONEncodeError is one
            pass
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _has_floats(value) -> bool:
    kind = type(value)
    if kind is dict:
        return any(_has_floats(item) for item in value.values())
    if kind is list:
        return any(_has_floats(item) for item in value)
    return kind is float


def compute_hash(prev_hash: str, entry: Any, *, written: bool = False) -> str:
    payload = f"{prev_hash}\n{canonical_content(entry, written=written)}"
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


# --- Sealed batches (see `sealing.py`) -----------------------------------------------------------
# Entries are appended without a lock and without a link to the entry before: `prev_hash` is ""
# for them (entries written before sealing existed keep their link; both hash the same way). The
# sealer then hashes each batch, in id order, into a Merkle tree (RFC 6962's leaf and node
# prefixes, as certificate-transparency logs do) and chains the batches: a seal's hash covers the
# seal before it.


def leaf_hash(entry_id: int, entry_hash: str) -> bytes:
    """The tree's leaf for one entry: its id and its hash, so a leaf cannot be moved to another id."""
    return hashlib.sha256(b"\x00" + f"{int(entry_id)}:{entry_hash}".encode()).digest()


def merkle_root(leaves: list[bytes]) -> str:
    """RFC 6962 Merkle tree hash of the leaves (already leaf-hashed), in hex; the empty tree hashes b''."""
    if not leaves:
        return hashlib.sha256(b"").hexdigest()
    level = list(leaves)
    while len(level) > 1:
        paired = [hashlib.sha256(b"\x01" + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])  # An odd node moves up unchanged (equivalent to RFC 6962's split).
        level = paired
    return level[0].hex()


def seal_content(seal: Any) -> str:
    """The canonical JSON of what a seal's hash (and signature) covers."""
    values = {
        "seq": int(seal.seq),
        "first_id": int(seal.first_id),
        "last_id": int(seal.last_id),
        "entry_count": int(seal.entry_count),
        "absent": [[int(first), int(last)] for first, last in seal.absent],
        "merkle_root": seal.merkle_root,
        "prev_hash": seal.prev_hash,
        "sealed_at": canonical_time(seal.sealed_at),
    }
    return json.dumps(values, sort_keys=True, separators=(",", ":"))


def compute_seal_hash(seal: Any) -> str:
    return hashlib.sha256(seal_content(seal).encode("utf-8")).hexdigest()
