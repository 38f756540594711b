"""The archive's sealing: what goes in comes out with the right key; anything else is refused."""

import io
import os

import pytest

from haidang.operations.backup import sealing
from haidang.operations.backup.sealing import BackupKey, SealedWriter, SealingError, read_header, unseal

KEY = BackupKey("b1", bytes(range(32)))
OTHER = BackupKey("b1", bytes(range(1, 33)))


def _seal(data: bytes, key=KEY) -> bytes:
    raw = io.BytesIO()
    writer = SealedWriter(raw, key)
    for start in range(0, len(data), 70_000):
        writer.write(data[start : start + 70_000])
    writer.close()
    return raw.getvalue()


def _open(blob: bytes, key=KEY) -> bytes:
    raw, out = io.BytesIO(blob), io.BytesIO()
    unseal(raw, key, read_header(raw), out)
    return out.getvalue()


@pytest.fixture(autouse=True)
def small_segments(monkeypatch):
    monkeypatch.setattr(sealing, "SEGMENT_BYTES", 64 * 1024)


@pytest.mark.parametrize("size", [0, 1, 64 * 1024, 64 * 1024 + 1, 300_000])
def test_round_trip(size):
    data = os.urandom(size)
    assert _open(_seal(data)) == data


def test_two_archives_of_the_same_data_differ():
    data = b"x" * 1000
    assert _seal(data) != _seal(data)


def _segments(blob: bytes) -> tuple[bytes, list[bytes]]:
    raw = io.BytesIO(blob)
    read_header(raw)
    head = blob[: raw.tell()]
    parts = []
    while chunk := raw.read(4):
        length = int.from_bytes(chunk, "big")
        parts.append(chunk + raw.read(length))
    return head, parts


def test_a_wrong_key_a_changed_byte_a_cut_or_reordered_archive_is_refused():
    blob = _seal(os.urandom(200_000))
    with pytest.raises(SealingError, match="'b1'"):
        _open(blob, OTHER)
    changed = bytearray(blob)
    changed[len(blob) // 2] ^= 1
    with pytest.raises(SealingError):
        _open(bytes(changed))
    head, parts = _segments(blob)
    assert len(parts) == 4
    with pytest.raises(SealingError):
        _open(head + b"".join(parts[:-1]))  # The last segment dropped.
    with pytest.raises(SealingError):
        _open(head + parts[1] + parts[0] + b"".join(parts[2:]))  # Two segments swapped.
    with pytest.raises(SealingError):
        _open(blob + b"more")
    with pytest.raises(SealingError):
        _open(b"PK\x03\x04 not an archive")
