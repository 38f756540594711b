"""Checking the audit log: every entry's hash, every seal, and the checkpoints kept outside the database.

What is checked, and what each finding means (the first finding in id order is reported):

- an entry whose content does not match its own hash: it was **edited**;
- an entry whose hash differs from the one its seal recorded: it was rewritten together with
  its hash (**edited**);
- an id a seal recorded as present that is gone: the entry was **removed**;
- an entry with an id its seal recorded as absent: it was **inserted** afterwards;
- a seal missing, out of order, not linked to the one before, not matching its own hash or
  Merkle root, or not signed by a trusted key: the **seals were rewritten**;
- a checkpoint in the file (`checkpoints.py`) that the database's seals do not have, or have
  with another hash: the **end of the log was cut off** (or the seals rewritten).

Entries after the last seal are checked against their own hashes only: they are the sealer's
backlog (`verify_audit` seals first, so there are few).
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _

from haidang.audit.chain import GENESIS_HASH, compute_hash, compute_seal_hash, leaf_hash, merkle_root
from haidang.audit.checkpoints import checkpoint_path, read_checkpoints, signature_valid, trusted_public_keys
from haidang.audit.models import AuditEntry, AuditSeal


@dataclass(frozen=True)
class Problem:
    entry_id: int | None
    occurred_at: datetime | None
    action: str
    message: str

    def describe(self) -> str:
        if self.entry_id is None:
            return self.message
        if self.occurred_at is None:
            where = _("Audit entry %(id)s") % {"id": self.entry_id}
        else:
            where = _("Audit entry %(id)s (%(when)s, %(action)s)") % {
                "id": self.entry_id,
                "when": _local(self.occurred_at),
                "action": self.action,
            }
        return f"{where}: {self.message}"


@dataclass
class Verification:
    count: int = 0  # entries checked
    sealed: int = 0
    seals: int = 0
    last_seal: AuditSeal | None = None
    checkpoints: int = 0
    checkpoint_file: Path | None = None
    problem: Problem | None = None
    seal_hashes: dict = field(default_factory=dict, repr=False)

    @property
    def intact(self) -> bool:
        return self.problem is None

    @property
    def unsealed(self) -> int:
        return self.count - self.sealed


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M:%S")


def _seal_problem(seal: AuditSeal, message: str) -> Problem:
    where = _("Audit seal %(seq)s (entries %(first)s–%(last)s, sealed %(when)s)") % {
        "seq": seal.seq,
        "first": seal.first_id,
        "last": seal.last_id,
        "when": _local(seal.sealed_at),
    }
    return Problem(None, None, "", f"{where}: {message}")


def _expected_ids(seal: AuditSeal) -> Iterator[int]:
    absent = sorted(seal.absent)
    next_id = seal.first_id
    for first, last in absent:
        yield from range(next_id, first)
        next_id = last + 1
    yield from range(next_id, seal.last_id + 1)


def _check_seal(seal: AuditSeal, previous: AuditSeal | None, trusted: frozenset[str]) -> Problem | None:
    """The seal on its own and its link to the one before (its entries are checked in the walk)."""
    expected_seq = previous.seq + 1 if previous else 1
    if seal.seq != expected_seq:
        return Problem(None, None, "", _("Audit seal %(seq)s is missing: seals were removed.") % {"seq": expected_seq})
    if seal.first_id != (previous.last_id + 1 if previous else 1) or seal.prev_hash != (
        previous.seal_hash if previous else GENESIS_HASH
    ):
        return _seal_problem(seal, _("it does not follow the seal before it: the seals were rewritten."))
    if compute_seal_hash(seal) != seal.seal_hash:
        return _seal_problem(seal, _("its content does not match its hash: it was changed after it was written."))
    if seal.public_key not in trusted or not signature_valid(seal.seal_hash, seal.signature, seal.public_key):
        return _seal_problem(seal, _("its signature is not valid for a trusted key: it was forged."))
    leaves = seal.leaf_list()
    ids = list(_expected_ids(seal))
    if len(leaves) != len(ids) or seal.entry_count != len(ids):
        return _seal_problem(seal, _("its list of entries does not match its range: it was changed."))
    if merkle_root([leaf_hash(i, leaf.hex()) for i, leaf in zip(ids, leaves, strict=True)]) != seal.merkle_root:
        return _seal_problem(seal, _("its entries do not match its Merkle root: it was changed."))
    return None


def _entry_problem(entry: AuditEntry, message: str) -> Problem:
    return Problem(entry.id, entry.occurred_at, entry.action, message)


class _Walk:
    """Entries in id order against the seals in seq order."""

    def __init__(self, result: Verification, batch_size: int):
        self.result = result
        self.trusted = trusted_public_keys()
        self.seals = AuditSeal.objects.order_by("seq").iterator(chunk_size=20)
        self.batch_size = batch_size
        self.seal: AuditSeal | None = None
        self.previous: AuditSeal | None = None
        self.expected: Iterator[int] = iter(())
        self.next_expected: int | None = None
        self.leaves: list[bytes] = []
        self.position = 0

    def _advance(self) -> Problem | None:
        """Close the current seal (its remaining ids are missing) and open the next one."""
        if self.next_expected is not None:
            return Problem(
                self.next_expected,
                None,
                "",
                _("missing: it was removed from the log (sealed in seal %(seq)s on %(when)s).")
                % {"seq": self.seal.seq, "when": _local(self.seal.sealed_at)},
            )
        self.previous = self.seal if self.seal is not None else self.previous
        self.seal = next(self.seals, None)
        if self.seal is None:
            return None
        problem = _check_seal(self.seal, self.previous, self.trusted)
        if problem is not None:
            return problem
        self.result.seals += 1
        self.result.last_seal = self.seal
        self.result.seal_hashes[self.seal.seq] = self.seal.seal_hash
        self.expected = _expected_ids(self.seal)
        self.next_expected = next(self.expected, None)
        self.leaves, self.position = self.seal.leaf_list(), 0
        return None

    def _check_sealed(self, entry: AuditEntry) -> Problem | None:
        seal = self.seal
        if self.next_expected is not None and self.next_expected < entry.id:
            return Problem(
                self.next_expected,
                None,
                "",
                _("missing: it was removed from the log (the next entry present is %(next)s).") % {"next": entry.id},
            )
        if self.next_expected != entry.id:
            return _entry_problem(
                entry,
                _("it was inserted afterwards: seal %(seq)s (sealed %(when)s) records no entry with this id.")
                % {"seq": seal.seq, "when": _local(seal.sealed_at)},
            )
        if self.leaves[self.position].hex() != entry.entry_hash:
            return _entry_problem(
                entry,
                _("its hash differs from the one sealed in seal %(seq)s: it was rewritten with a new hash.")
                % {"seq": seal.seq},
            )
        self.position += 1
        self.next_expected = next(self.expected, None)
        self.result.sealed += 1
        return None

    def run(self) -> Problem | None:
        problem = self._advance()
        for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=self.batch_size):
            if problem is not None:
                return problem
            while self.seal is not None and entry.id > self.seal.last_id:
                problem = self._advance()
                if problem is not None:
                    return problem
            if compute_hash(entry.prev_hash, entry) != entry.entry_hash:
                return _entry_problem(
                    entry, _("its content does not match its hash: it was changed after it was written.")
                )
            self.result.count += 1
            if self.seal is not None and entry.id >= self.seal.first_id:
                problem = self._check_sealed(entry)
        while problem is None and self.seal is not None:  # seals after the last entry: their entries are gone
            problem = self._advance()
        return problem


def _check_checkpoints(result: Verification, path: Path) -> Problem | None:
    file = read_checkpoints(path)
    result.checkpoint_file = path
    if file.damaged_lines:
        return Problem(
            None,
            None,
            "",
            _("Line %(line)s of the checkpoint file %(path)s is not a checkpoint: the file was changed.")
            % {"line": file.damaged_lines[0], "path": path},
        )
    trusted = trusted_public_keys()
    last_seq = result.last_seal.seq if result.last_seal else 0
    for checkpoint in file.checkpoints:
        seq, seal_hash = int(checkpoint["seq"]), str(checkpoint["seal_hash"])
        values = {
            "seq": seq,
            "first": checkpoint.get("first_id"),
            "last": checkpoint.get("last_id"),
            "when": checkpoint.get("sealed_at", ""),
            "path": path,
        }
        key, signature = str(checkpoint.get("public_key", "")), str(checkpoint.get("signature", ""))
        if key not in trusted or not signature_valid(seal_hash, signature, key):
            return Problem(None, None, "", _("Checkpoint %(seq)s in %(path)s is not signed by a trusted key.") % values)
        if seq > last_seq:
            return Problem(
                None,
                None,
                "",
                _(
                    "The end of the log was cut off: checkpoint %(seq)s (entries %(first)s–%(last)s, sealed "
                    "%(when)s) is kept in %(path)s, but the database's seals end at seal %(db)s."
                )
                % {**values, "db": last_seq},
            )
        if result.seal_hashes.get(seq) != seal_hash:
            return Problem(
                None,
                None,
                "",
                _("Audit seal %(seq)s does not match its checkpoint in %(path)s: the seals were rewritten.") % values,
            )
        result.checkpoints += 1
    if result.last_seal is not None and not file.checkpoints:
        return Problem(
            None,
            None,
            "",
            _(
                "The checkpoint file %(path)s holds no checkpoint, so the end of the log cannot be checked "
                "against a copy outside the database."
            )
            % {"path": path},
        )
    return None


def verify_log(batch_size: int = 2000, *, checkpoints: bool = True) -> Verification:
    """Walk every entry and seal, then compare the seals with the checkpoint file (if `checkpoints`)."""
    result = Verification()
    result.problem = _Walk(result, batch_size).run()
    path = checkpoint_path()
    if result.problem is None and checkpoints and path is not None:
        result.problem = _check_checkpoints(result, path)
    return result
