"""Re-seal encrypted fields under the active key; see the help text for the whole procedure."""

import argparse
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser, DjangoHelpFormatter
from django.db import connections, models, transaction
from django.db.models import Case, Count, F, Q, Value, When

from haidang.common import crypto
from haidang.common.fields import EncryptedTextField
from haidang.common.sealed import Target, encrypted_targets

HELP = """\
Re-seal, under the active (first) key of FIELD_ENCRYPTION_KEYS, every value of every
EncryptedTextField on every installed model that is sealed under another key.

Key rotation, with the application running throughout:

  1. manage.py new_field_key --id k2
     Prints a new entry. Use an id never used before.
  2. Put the entry FIRST in FIELD_ENCRYPTION_KEYS on every server, keeping the old entries
     after it ("k2:...,k1:..."), and restart. New writes are then sealed under k2 and values
     under k1 still open. Do not go on before every server runs with the new setting.
  3. manage.py rotate_field_keys --dry-run
     Counts, per model and field, the values still sealed under an old key. Nothing changes.
  4. manage.py rotate_field_keys
     Re-seals in batches of --batch-size rows in primary-key order. Each batch is its own
     short transaction that locks only its own rows, so there is no table lock and no
     downtime. Only the encrypted columns are written (no save(), no signals, no auto_now).
     It can be interrupted and run again at any time. It stops, naming model, field and
     primary key but never the value, if a value is sealed under a key id that is not
     configured, or fails to open.
  5. When it reports 0 remaining, remove the old entries and restart. Keep an offline copy
     of an old key for as long as backups sealed under it are kept.
"""


class _HelpFormatter(DjangoHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Django's option order, with the procedure above kept as written."""


@dataclass
class Problem:
    target: Target
    field: EncryptedTextField
    pk: Any
    reason: str

    def __str__(self) -> str:
        return f"{self.target.label}.{self.field.name} pk={self.pk}: {self.reason}"


def _sealed_under(alias: str, key_id: str) -> Q:
    return Q(**{f"{alias}__startswith": f"{crypto.PREFIX}:{key_id}:"})


def _needs_rotation(alias: str, active_id: str) -> Q:
    return Q(**{f"{alias}__startswith": f"{crypto.PREFIX}:"}) & ~_sealed_under(alias, active_id)


def _unopenable(alias: str, key_ids: list[str]) -> Q:
    """Non-empty values that no configured key can even be tried on."""
    return (
        Q(**{f"{alias}__isnull": False})
        & ~Q(**{alias: ""})
        & ~reduce(or_, [_sealed_under(alias, key_id) for key_id in key_ids])
    )


def _describe(raw: str, ring: crypto.KeyRing) -> str:
    # Only a well-formed value's key id is named: free text is never echoed back.
    key_id = crypto.key_id_of(raw)
    if key_id is None:
        return "holds a value that is not a well-formed sealed value"
    if key_id not in ring.keys:
        return f"is sealed under key id {key_id!r}, which is not in FIELD_ENCRYPTION_KEYS"
    return "fails to open (altered, or copied from another field)"


class Command(BaseCommand):
    help = HELP

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        return super().create_parser(prog_name, subcommand, formatter_class=_HelpFormatter, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size",
            type=int,
            default=500,
            help="Rows per batch, each batch in its own transaction (default 500).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Only count, per model and field, the values to re-seal."
        )
        parser.add_argument("--database", default="default", help="Database alias (default 'default').")

    def handle(self, *args: Any, batch_size: int, dry_run: bool, database: str, **options: Any) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        if database not in connections:
            raise CommandError(f"Unknown database {database!r}.")
        try:
            ring = crypto.key_ring()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from None
        verbosity = options["verbosity"]
        targets = list(encrypted_targets())
        if not targets:
            self.stdout.write("No EncryptedTextField on any installed model: nothing to do.")
            return
        old_ids = [key_id for key_id in ring.keys if key_id != ring.active_id]
        self.stdout.write(f"Active key: {ring.active_id}. Older keys: {', '.join(old_ids) or 'none'}.")

        # Checked before anything changes, so a missing key stops the run with nothing half-done.
        problems = [problem for target in targets for problem in self._unopenable(target, ring, database)]
        total_pending = 0
        for target in targets:
            for name, per_key in self._pending(target, ring, database).items():
                count = sum(per_key.values())
                total_pending += count
                detail = ", ".join(f"{key_id}: {n}" for key_id, n in per_key.items() if n)
                suffix = f" ({detail})" if count else ""
                self.stdout.write(f"  {target.label}.{name}: {count} to re-seal{suffix}")
        if problems:
            raise CommandError(self._problem_report(problems))
        if dry_run:
            self.stdout.write(
                f"Dry run: {total_pending} value(s) would be re-sealed under {ring.active_id}; nothing was changed."
            )
            return

        resealed = batches = remaining_total = 0
        for target in targets:
            counts, target_batches = self._rotate(target, ring, database, batch_size, verbosity, resealed)
            batches += target_batches
            resealed += sum(counts.values())
            for name, per_key in self._pending(target, ring, database).items():
                left = sum(per_key.values())
                remaining_total += left
                self.stdout.write(f"  {target.label}.{name}: {counts[name]} re-sealed, {left} remaining")
        self.stdout.write(
            self.style.SUCCESS(
                f"Re-sealed {resealed} value(s) under {ring.active_id} in {batches} batch(es); "
                f"{remaining_total} remaining under other keys."
            )
        )
        if remaining_total:
            # Rows written meanwhile by a server still sealing with an old key (step 2 not finished).
            self.stdout.write(
                self.style.WARNING(
                    "Values are still sealed under older keys: make sure every server has the new "
                    "FIELD_ENCRYPTION_KEYS, then run this command again before removing any key."
                )
            )

    def _pending(self, target: Target, ring: crypto.KeyRing, using: str) -> dict[str, dict[str, int]]:
        """Per field, per older configured key id: how many values it still seals. One query per model."""
        old_ids = [key_id for key_id in ring.keys if key_id != ring.active_id]
        if not old_ids:
            return {fld.name: {} for fld in target.fields}
        aggregates = {
            f"{alias}__{index}": Count("pk", filter=_sealed_under(alias, key_id))
            for alias in target.aliases
            for index, key_id in enumerate(old_ids)
        }
        counts = target.queryset(using).aggregate(**aggregates)
        return {
            fld.name: {key_id: counts[f"{alias}__{index}"] for index, key_id in enumerate(old_ids)}
            for alias, fld in zip(target.aliases, target.fields, strict=True)
        }

    def _unopenable(self, target: Target, ring: crypto.KeyRing, using: str, limit: int = 5) -> list[Problem]:
        problems: list[Problem] = []
        for alias, fld in zip(target.aliases, target.fields, strict=True):
            rows = (
                target.queryset(using)
                .filter(_unopenable(alias, list(ring.keys)))
                .order_by("pk")
                .values_list("pk", alias)[:limit]
            )
            problems.extend(Problem(target, fld, pk, _describe(raw, ring)) for pk, raw in rows)
        return problems

    def _problem_report(self, problems: list[Problem]) -> str:
        lines = "\n".join(f"  {problem}" for problem in problems)
        return (
            "Some values cannot be opened with the configured keys, so nothing was changed:\n"
            f"{lines}\n"
            "Add the missing key to FIELD_ENCRYPTION_KEYS (after the active one) or repair these rows, "
            "then run again. (At most 5 rows are listed per field.)"
        )

    def _rotate(
        self,
        target: Target,
        ring: crypto.KeyRing,
        using: str,
        batch_size: int,
        verbosity: int,
        done_before: int,
    ) -> tuple[dict[str, int], int]:
        counts = dict.fromkeys((fld.name for fld in target.fields), 0)
        needs_any = reduce(or_, [_needs_rotation(alias, ring.active_id) for alias in target.aliases])
        last_pk: Any = None
        batches = 0
        while True:
            # Keyset pagination: each batch starts after the last primary key seen, so the run
            # ends even if other servers keep writing, and a rerun picks up what is left.
            queryset = target.queryset(using).filter(needs_any)
            if last_pk is not None:
                queryset = queryset.filter(pk__gt=last_pk)
            with transaction.atomic(using=using):
                # Locks just this batch's rows (not joined parent tables) until the commit below.
                rows = list(
                    queryset.select_for_update(of=("self",))
                    .order_by("pk")
                    .values_list("pk", *target.aliases)[:batch_size]
                )
                if not rows:
                    break
                new_values = self._reseal(target, ring, rows, done_before + sum(counts.values()))
                self._write(target, using, new_values)
            batches += 1
            last_pk = rows[-1][0]
            for name, values in new_values.items():
                counts[name] += len(values)
            if verbosity >= 2:
                self.stdout.write(f"    {target.label} batch {batches}: {len(rows)} row(s) to pk={last_pk}")
        return counts, batches

    def _reseal(
        self, target: Target, ring: crypto.KeyRing, rows: list[tuple[Any, ...]], done_before: int
    ) -> dict[str, dict[Any, str]]:
        new_values: dict[str, dict[Any, str]] = {fld.name: {} for fld in target.fields}
        for pk, *raws in rows:
            for fld, raw in zip(target.fields, raws, strict=True):
                # Same test as the SQL filter: only this row's other columns may need the work.
                if not raw or raw.startswith(f"{crypto.PREFIX}:{ring.active_id}:"):
                    continue
                try:
                    plaintext = crypto.open_sealed(raw, context=fld.encryption_context)
                except crypto.DecryptionError:
                    problem = Problem(target, fld, pk, _describe(raw, ring))
                    raise CommandError(
                        f"{problem}. This batch was rolled back; {done_before} value(s) re-sealed before it "
                        "stay re-sealed. Repair the row (or configure its key) and run again."
                    ) from None
                new_values[fld.name][pk] = crypto.seal(plaintext, context=fld.encryption_context)
        return new_values

    def _write(self, target: Target, using: str, new_values: dict[str, dict[Any, str]]) -> None:
        """One UPDATE of only the changed encrypted columns, in chunks the backend accepts."""
        changed = {name: values for name, values in new_values.items() if values}
        if not changed:
            return
        pks = list(dict.fromkeys(pk for values in changed.values() for pk in values))
        max_params = connections[using].features.max_query_params or 65_000
        chunk = max(1, (max_params - 100) // (2 * len(changed) + 1))
        attnames = {fld.name: fld.attname for fld in target.fields}
        for start in range(0, len(pks), chunk):
            chunk_pks = pks[start : start + chunk]
            # A plain TextField output: the sealed text is written as it is, not sealed again.
            assignments = {
                attnames[name]: Case(
                    *[
                        When(pk=pk, then=Value(values[pk], output_field=models.TextField()))
                        for pk in chunk_pks
                        if pk in values
                    ],
                    default=F(attnames[name]),
                    output_field=models.TextField(),
                )
                for name, values in changed.items()
            }
            target.model._base_manager.using(using).filter(pk__in=chunk_pks).update(**assignments)
