"""manage.py verify_audit: prove the audit log is whole, or name the first entry (or seal) that is not.

It first seals what is pending (unless --no-seal), then checks every entry against its own hash
and its seal, every seal against the one before and its signature, the seals against the
checkpoints kept outside the database, and that the append-only triggers are there and enabled.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from haidang.audit.checkpoints import public_key_hex
from haidang.audit.db import disabled_triggers, expected_triggers, installed_triggers
from haidang.audit.db import install_triggers as create_triggers
from haidang.audit.sealing import seal_pending
from haidang.audit.verification import verify_log


class Command(BaseCommand):
    help = "Check the audit log's hashes, seals and checkpoints and report the first entry that does not match."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=2000, help="Entries read per database round trip.")
        parser.add_argument(
            "--install-triggers",
            action="store_true",
            help="Re-create the append-only triggers if they are missing (only when the log is intact).",
        )
        parser.add_argument("--no-seal", action="store_true", help="Check without sealing the pending entries first.")
        parser.add_argument(
            "--without-checkpoints",
            action="store_true",
            help="Do not compare with the checkpoint file (e.g. on a machine that does not keep it).",
        )

    def handle(self, *args, batch_size: int, install_triggers: bool, verbosity: int, **options):
        if batch_size < 1:
            raise CommandError(_("--batch-size must be 1 or more."))
        if not options["no_seal"]:
            seal_pending()
        result = verify_log(batch_size=batch_size, checkpoints=not options["without_checkpoints"])
        if result.problem is not None:
            raise CommandError(result.problem.describe())
        self._check_triggers(install_triggers)
        self.stdout.write(
            ngettext("Audit log intact: %(count)s entry.", "Audit log intact: %(count)s entries.", result.count)
            % {"count": result.count}
        )
        if result.last_seal is not None:
            self.stdout.write(
                ngettext(
                    "Sealed: %(sealed)s entries in %(seals)s batch, the last up to entry %(last)s; "
                    "%(unsealed)s not yet.",
                    "Sealed: %(sealed)s entries in %(seals)s batches, the last up to entry %(last)s; "
                    "%(unsealed)s not yet.",
                    result.seals,
                )
                % {
                    "sealed": result.sealed,
                    "seals": result.seals,
                    "last": result.last_seal.last_id,
                    "unsealed": result.unsealed,
                }
            )
        if result.checkpoint_file is not None:
            self.stdout.write(
                _("Checkpoints outside the database: %(count)s in %(path)s, all matching.")
                % {"count": result.checkpoints, "path": result.checkpoint_file}
            )
        if verbosity >= 2 and result.last_seal is not None:
            # What an auditor writes down: the newest seal's hash and the key that signs the seals.
            self.stdout.write(_("Last seal hash: %(hash)s") % {"hash": result.last_seal.seal_hash})
            self.stdout.write(_("Signing key (Ed25519, public): %(key)s") % {"key": public_key_hex()})

    def _check_triggers(self, install: bool) -> None:
        missing = expected_triggers(connection) - installed_triggers(connection)
        if missing and install:
            create_triggers(connection)
            names = ", ".join(sorted(missing))
            self.stdout.write(_("Append-only triggers re-created: %(names)s.") % {"names": names})
            missing = frozenset()
        if missing:
            raise CommandError(
                _(
                    "The hashes match, but the append-only triggers are missing: %(names)s. "
                    "Find out who removed them, then run `manage.py verify_audit --install-triggers`."
                )
                % {"names": ", ".join(sorted(missing))}
            )
        disabled = disabled_triggers(connection)
        if disabled:
            raise CommandError(
                _(
                    "The hashes match, but the append-only triggers are disabled: %(names)s. Until they are "
                    "enabled again (ALTER TABLE … ENABLE ALWAYS TRIGGER), the log can be changed without a trace "
                    "in the database: find out who disabled them."
                )
                % {"names": ", ".join(sorted(disabled))}
            )
