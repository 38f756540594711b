"""Send every report reminder that is due and unsent: a cron safety net beside the job worker."""

from django.core.management.base import BaseCommand

from haidang.reporting.reminders import send_due_reminders


class Command(BaseCommand):
    help = "Send the report reminders that are due today or earlier and were not sent."

    def handle(self, *args, **options):
        counts = send_due_reminders()
        self.stdout.write(", ".join(f"{key}: {value}" for key, value in sorted(counts.items())) or "nothing due")
