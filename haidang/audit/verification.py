"""Checking the audit log: every hash recomputed, every link followed, nothing missing."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from haidang.audit.chain import GENESIS_HASH, HEAD_ID, compute_hash
from haidang.audit.models import AuditChainHead, AuditEntry


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
                "when": timezone.localtime(self.occurred_at).strftime("%d/%m/%Y %H:%M:%S"),
                "action": self.action,
            }
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Verification:
    count: int
    last_hash: str
    problem: Problem | None

    @property
    def intact(self) -> bool:
        return self.problem is None


def verify_chain(batch_size: int = 2000) -> Verification:
    """Walk the log in id order, in batches, and stop at the first entry that does not match."""
    # The head is read first and the walk stops at it: entries appended meanwhile are not yet
    # counted, and an entry at or below it can only be missing if it was removed.
    head = AuditChainHead.objects.filter(pk=HEAD_ID).first()
    entries = AuditEntry.objects.order_by("id")
    if head is not None:
        entries = entries.filter(id__lte=head.last_id)

    expected_id, prev_hash, count = 1, GENESIS_HASH, 0
    for entry in entries.iterator(chunk_size=batch_size):
        if entry.id != expected_id:
            return Verification(
                count,
                prev_hash,
                Problem(
                    expected_id,
                    None,
                    "",
                    _("missing: it was removed from the log (the next entry present is %(next)s).")
                    % {"next": entry.id},
                ),
            )
        if entry.prev_hash != prev_hash:
            return Verification(
                count,
                prev_hash,
                _problem(
                    entry,
                    _("its link to the entry before (%(prev)s) does not match: one of the two was rewritten.")
                    % {"prev": entry.id - 1},
                ),
            )
        if compute_hash(entry.prev_hash, entry) != entry.entry_hash:
            return Verification(
                count,
                prev_hash,
                _problem(
                    entry,
                    _("its content does not match its hash: it was changed after it was written."),
                ),
            )
        prev_hash = entry.entry_hash
        expected_id += 1
        count += 1

    if head is None:
        # Migration 0002 makes the head and nothing may delete it: without it a wiped log would
        # look like a new one.
        return Verification(
            count,
            prev_hash,
            Problem(
                None,
                None,
                "",
                _(
                    "The audit chain head is missing, so the end of the log cannot be checked: "
                    "entries may have been removed."
                ),
            ),
        )
    if head.last_id >= expected_id:
        return Verification(
            count,
            prev_hash,
            Problem(
                expected_id,
                None,
                "",
                _("missing: the log ends at entry %(last)s but had reached entry %(head)s.")
                % {"last": expected_id - 1, "head": head.last_id},
            ),
        )
    if head.last_hash != prev_hash:
        return Verification(
            count,
            prev_hash,
            Problem(
                expected_id - 1,
                None,
                "",
                _("its hash does not match the one recorded in the chain head."),
            ),
        )
    # A head moved back would hide the entries after it. Newest entry first, head second: an
    # entry committed in between comes with a head at least as far on, so no false alarm.
    newest = AuditEntry.objects.aggregate(newest=Max("id"))["newest"] or 0
    head_now = AuditChainHead.objects.filter(pk=HEAD_ID).values_list("last_id", flat=True).first() or 0
    if newest > head_now:
        beyond = AuditEntry.objects.filter(id__gt=head_now).order_by("id").first()
        return Verification(
            count,
            prev_hash,
            _problem(
                beyond,
                _("it lies beyond the chain head (entry %(head)s): the head was moved back.") % {"head": head_now},
            ),
        )
    return Verification(count, prev_hash, None)


def _problem(entry: AuditEntry, message: str) -> Problem:
    return Problem(entry.id, entry.occurred_at, entry.action, message)
