"""manage.py seal_audit: seal the audit entries written so far and bring the checkpoint file up to date.

The job worker does this on its own (`sealing.seal_audit_job`); this command is for cron, for a
deployment without the worker, and for operators who want a checkpoint now.
"""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from haidang.audit.sealing import seal_pending


class Command(BaseCommand):
    help = "Seal the audit entries written so far into signed batches and write their checkpoints."

    def handle(self, *args, **options):
        run = seal_pending()
        if run.horizon is None:
            self.stdout.write(_("Another sealer is running, or appenders held the lock: nothing sealed this time."))
            return
        entries = sum(seal.entry_count for seal in run.seals)
        self.stdout.write(
            ngettext("Sealed %(entries)s entry", "Sealed %(entries)s entries", entries) % {"entries": entries}
            + " "
            + ngettext("in %(seals)s batch.", "in %(seals)s batches.", len(run.seals)) % {"seals": len(run.seals)}
        )
