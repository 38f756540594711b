"""List the stored values the code lists do not know, for correction: country codes that name no
country (ISO 3166-1), ethnicities recorded as text that match none of the 54 groups, deciding bodies
typed as text that match no agency. Nothing is changed or dropped; the case numbers say where to look
(no names: a case number identifies nobody outside the system)."""

from django.core.management.base import BaseCommand

from haidang.cases.selectors import code_corrections


class Command(BaseCommand):
    help = "List stored values outside the code lists (countries, ethnic groups, deciding bodies) to correct."

    def handle(self, *args, **options):
        rows = code_corrections()
        if not rows:
            self.stdout.write("Nothing to correct.")
            return
        for row in rows:
            self.stdout.write(f"{row.case_number}\t{row.field}\t{row.value}")
        self.stdout.write(f"{len(rows)} value(s) to correct.")
