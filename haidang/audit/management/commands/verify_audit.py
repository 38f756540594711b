"""manage.py verify_audit: prove the audit log is whole, or name the first entry that is not."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from haidang.audit.db import expected_triggers, installed_triggers
from haidang.audit.db import install_triggers as create_triggers
from haidang.audit.verification import verify_chain


class Command(BaseCommand):
    help = "Recompute the audit log's hash chain and report the first entry that does not match."

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=2000,
            help="Entries read per database round trip.",
        )
        parser.add_argument(
            "--install-triggers",
            action="store_true",
            help="Re-create the append-only triggers if they are missing (only when the chain is intact).",
        )

    def handle(self, *args, batch_size: int, install_triggers: bool, verbosity: int, **options):
        if batch_size < 1:
            raise CommandError(_("--batch-size must be 1 or more."))
        result = verify_chain(batch_size=batch_size)
        if result.problem is not None:
            raise CommandError(result.problem.describe())
        missing = expected_triggers(connection) - installed_triggers(connection)
        if missing and install_triggers:
            create_triggers(connection)
            names = ", ".join(sorted(missing))
            self.stdout.write(_("Append-only triggers re-created: %(names)s.") % {"names": names})
            missing = frozenset()
        if missing:
            raise CommandError(
                _(
                    "The hash chain matches, but the append-only triggers are missing: %(names)s. "
                    "Find out who removed them, then run `manage.py verify_audit --install-triggers`."
                )
                % {"names": ", ".join(sorted(missing))}
            )
        self.stdout.write(
            ngettext("Audit log intact: %(count)s entry.", "Audit log intact: %(count)s entries.", result.count)
            % {"count": result.count}
        )
        if verbosity >= 2:
            # Worth writing down elsewhere: an outside copy of the last hash anchors the whole chain.
            self.stdout.write(_("Last entry hash: %(hash)s") % {"hash": result.last_hash})
