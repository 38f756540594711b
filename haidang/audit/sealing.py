"""Chaining the audit log after the fact: appenders never wait for each other, a sealer orders them.

**Appending** (`reserve_entry_id`, called by `record_event`): the entry takes the next id from the
database sequence and is inserted in the caller's transaction, hashed on its own (no link to the
entry before, so no row every appender must lock). On PostgreSQL the appender first takes a
*shared* advisory lock held until its transaction ends: shared locks never wait for each other,
so appenders run in parallel. On SQLite every write transaction already holds the database's
write lock (transaction_mode IMMEDIATE): there the gain is one write (the INSERT) per audited
request instead of three statements on a hot row.

**Sealing** (`seal_pending`, run by the database job worker as `seal_audit_job`, by
`manage.py seal_audit`, and first thing by `manage.py verify_audit`):

1. The horizon: the sealer takes the *exclusive* advisory lock for an instant (PostgreSQL: it
   waits until every appender in flight has committed or rolled back, at most
   AUDIT_SEAL_LOCK_TIMEOUT_MS; SQLite: a write transaction) and reads the highest id. Every id up
   to it now belongs to a finished transaction, so a gap below it is a rollback, for good.
2. Batches: the entries after the last seal, up to the horizon, at most AUDIT_SEAL_BATCH at a
   time, in id order. A seal (`AuditSeal`) records the id range, the ids absent from it, each
   entry's hash (leaves), their Merkle root, the previous seal's hash and its own hash, signed
   with Ed25519. The batch is read and hashed outside any write transaction; storing the seal is
   one INSERT in one short transaction.
3. Checkpoints: after the commit, every seal the checkpoint file lacks is appended to it (and
   the newest may be e-mailed to the auditors): see `checkpoints.py`.

**What can go wrong, and what happens then**

- *The sealer dies* (worker killed, machine down): appending goes on untouched; the entries wait
  unsealed and the next run seals them. A seal is one transaction: it is there whole or not at
  all, never half-written. If it dies after the commit and before the file, the next run writes
  the missing checkpoints first (the file may lag the database, never lead it).
- *Two sealers at once* (two workers, a worker and `verify_audit`): on PostgreSQL the second
  finds the sealer lock taken and does nothing. On SQLite both may hash the same batch (outside
  the write lock), but each stores its seal only after checking, inside its write transaction,
  that the newest seal is still the one it started from: the second finds it is not and stops.
  In any case `seq` and `last_id` are unique, so a fork cannot be stored.
- *A long transaction that appended an entry* (an import): the horizon cannot pass it; the sealer
  waits at most AUDIT_SEAL_LOCK_TIMEOUT_MS (appenders queue behind it that long), gives up and
  tries again on its next run. Nothing is ever sealed past an entry that might still commit.
- *A crash while writing the file*: lines are appended under an exclusive file lock and fsync'd;
  a last line without its newline is ignored by readers and ended by the next writer.
- *The window*: an entry is protected by its own hash at once, and against removal or insertion
  only once sealed (within AUDIT_SEAL_SECONDS plus the worker's poll, under a minute by default),
  and against a rewrite of the database's seals once its checkpoint is in the file.
"""

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone
from django_tasks import task

from haidang.audit.chain import GENESIS_HASH, compute_seal_hash, leaf_hash, merkle_root
from haidang.audit.checkpoints import email_checkpoint, sign, write_checkpoints
from haidang.audit.models import AuditEntry, AuditSeal

logger = logging.getLogger(__name__)

# Advisory lock keys (PostgreSQL): appenders share APPEND_LOCK, the horizon takes it alone;
# SEALER_LOCK lets one sealer run at a time.
APPEND_LOCK = 0x48444157_41554454  # "HDAWAUDT"
SEALER_LOCK = 0x48444157_5345414C  # "HDAWSEAL"
SEAL_TASK_PATH = "haidang.audit.sealing.seal_audit_job"


# --- Appending -----------------------------------------------------------------------------------


def reserve_entry_id() -> int:
    """The next entry id, inside the caller's transaction (PostgreSQL: with the shared append lock)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT pg_advisory_xact_lock_shared(%s), nextval(pg_get_serial_sequence('audit_entry', 'id'))",
                [APPEND_LOCK],
            )
            return int(cursor.fetchone()[1])
        # SQLite: the transaction holds the write lock, so the counter cannot move under us.
        cursor.execute(
            "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'audit_entry'), 0), "
            "COALESCE((SELECT MAX(id) FROM audit_entry), 0)) + 1"
        )
        return int(cursor.fetchone()[0])


def reserve_entry_ids(count: int) -> list[int]:
    """`count` entry ids for one bulk insert, inside the caller's transaction (as `reserve_entry_id`)."""
    if count <= 0:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [APPEND_LOCK])
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence('audit_entry', 'id')) FROM generate_series(1, %s)", [count]
            )
            return sorted(int(row[0]) for row in cursor.fetchall())
    first = reserve_entry_id()
    return list(range(first, first + count))


_next_request_at = 0.0


def request_sealing_soon() -> None:
    """At most every AUDIT_SEAL_SECONDS per process: after this commit, make sure a seal job is queued."""
    global _next_request_at  # a per-process timer, so a busy server asks the database rarely
    interval = getattr(settings, "AUDIT_SEAL_SECONDS", 0)
    if interval <= 0:
        return
    now = time.monotonic()
    if now < _next_request_at:
        return
    _next_request_at = now + interval
    transaction.on_commit(schedule_sealing)


def schedule_sealing() -> None:
    """Queue a seal job for the worker unless one is already waiting."""
    from django_tasks_db.models import DBTaskResult

    try:
        if not DBTaskResult.objects.ready().filter(task_path=SEAL_TASK_PATH).exists():
            seal_audit_job.enqueue()
    except Exception:  # noqa: BLE001 (never fail a request because the job queue is unavailable)
        logger.exception("Could not queue the audit seal job")


@task()
def seal_audit_job() -> int:
    """The worker's sealer run: seal what is pending and write the checkpoints."""
    return len(seal_pending().seals)


# --- Sealing -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SealRun:
    seals: list[AuditSeal]
    horizon: int | None  # None: another sealer was running, or appenders held the lock too long


def _horizon() -> int | None:
    """The highest entry id such that every id up to it belongs to a finished transaction."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            timeout = int(getattr(settings, "AUDIT_SEAL_LOCK_TIMEOUT_MS", 200))
            cursor.execute(
                "SELECT current_setting('lock_timeout'), set_config('lock_timeout', %s, true)", [f"{timeout}ms"]
            )
            previous = cursor.fetchone()[0]
            try:
                with transaction.atomic():
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [APPEND_LOCK])
            except OperationalError:
                logger.info("Audit sealing postponed: appenders held the lock for over %s ms", timeout)
                return None
            finally:
                cursor.execute("SELECT set_config('lock_timeout', %s, true)", [previous])
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM audit_entry")
        return int(cursor.fetchone()[0])


def _absent_ranges(after: int, ids: list[int], last_id: int) -> list[list[int]]:
    """The ids in (after, last_id] not in `ids` (sorted), as [first, last] ranges."""
    ranges, expected = [], after + 1
    for entry_id in [*ids, last_id + 1]:
        if entry_id > expected:
            ranges.append([expected, entry_id - 1])
        expected = entry_id + 1
    return ranges


def absent_ids(seal: AuditSeal) -> set[int]:
    return {i for first, last in seal.absent for i in range(first, last + 1)}


def _seal_batch(horizon: int, max_batch: int) -> AuditSeal | None:
    # Read and hash outside the write transaction (on SQLite a write transaction holds the
    # database's one write lock: appenders would wait for the hashing); then store the seal in a
    # short transaction that first checks no other sealer stored one meanwhile.
    last = AuditSeal.objects.order_by("-seq").first()
    after = last.last_id if last else 0
    if horizon <= after:
        return None
    rows = list(
        AuditEntry.objects.filter(id__gt=after, id__lte=horizon)
        .order_by("id")
        .values_list("id", "entry_hash")[:max_batch]
    )
    last_id = rows[-1][0] if len(rows) == max_batch else horizon
    ids = [entry_id for entry_id, _hash in rows]
    seal = AuditSeal(
        seq=(last.seq + 1) if last else 1,
        first_id=after + 1,
        last_id=last_id,
        entry_count=len(rows),
        absent=_absent_ranges(after, ids, last_id),
        leaves=b"".join(bytes.fromhex(entry_hash) for _id, entry_hash in rows),
        merkle_root=merkle_root([leaf_hash(entry_id, entry_hash) for entry_id, entry_hash in rows]),
        prev_hash=last.seal_hash if last else GENESIS_HASH,
        sealed_at=timezone.now(),
    )
    seal.seal_hash = compute_seal_hash(seal)
    seal.signature, seal.public_key = sign(seal.seal_hash)
    with transaction.atomic():
        newest = AuditSeal.objects.order_by("-seq").values_list("seq", flat=True).first()
        if newest != (last.seq if last else None):
            return None  # another sealer went first; the next run starts from its seal
        seal.save()
    return seal


def _seals_after(seq: int) -> Iterator[AuditSeal]:
    return AuditSeal.objects.filter(seq__gt=seq).order_by("seq").iterator(chunk_size=500)


def _sealer_lock() -> bool:
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [SEALER_LOCK])
        return bool(cursor.fetchone()[0])


def _sealer_unlock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [SEALER_LOCK])


def seal_pending(max_batch: int | None = None) -> SealRun:
    """Seal every entry committed so far, in batches, then bring the checkpoint file up to date."""
    max_batch = max_batch or int(getattr(settings, "AUDIT_SEAL_BATCH", 10_000))
    if not _sealer_lock():
        return SealRun([], None)
    try:
        horizon = _horizon()
        seals: list[AuditSeal] = []
        while horizon is not None:
            try:
                seal = _seal_batch(horizon, max_batch)
            except IntegrityError:  # another sealer stored this seq first (SQLite, or no lock)
                break
            if seal is None:
                break
            seals.append(seal)
    finally:
        _sealer_unlock()
    # Only committed seals go outside the database: inside a caller's transaction, after its commit.
    transaction.on_commit(lambda: _write_checkpoints(seals[-1] if seals else None))
    return SealRun(seals, horizon)


def _write_checkpoints(newest: AuditSeal | None) -> None:
    write_checkpoints(_seals_after)
    email_checkpoint(newest)


def seal_lag_seconds() -> float:
    """How far the seals are behind: seconds since the oldest entry not yet in a seal was written (0: none)."""
    sealed_to = AuditSeal.objects.order_by("-seq").values_list("last_id", flat=True).first() or 0
    oldest = AuditEntry.objects.filter(id__gt=sealed_to).order_by("id").values_list("occurred_at", flat=True).first()
    return 0.0 if oldest is None else max(0.0, (timezone.now() - oldest).total_seconds())
