from django.core.management.base import BaseCommand

from haidang.cases.models import CaseAttachment
from haidang.cases.protection import reseal_attachment
from haidang.common import crypto


class Command(BaseCommand):
    help = (
        "Re-seal case attachments under the active field-encryption key, one row at a time (run after "
        "rotate_field_keys, before removing an old key from FIELD_ENCRYPTION_KEYS)."
    )

    def handle(self, *args, **options):
        active = crypto.key_ring().active_id
        pending = CaseAttachment.objects.exclude(key_id=active).values_list("pk", flat=True)
        count = 0
        for pk in list(pending.iterator(chunk_size=500)):
            if reseal_attachment(CaseAttachment(pk=pk)):
                count += 1
        remaining = CaseAttachment.objects.exclude(key_id=active).count()
        self.stdout.write(f"Re-sealed {count} attachment(s) under key {active}; {remaining} remaining.")
