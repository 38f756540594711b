"""Print the share of old communes whose official full address resolves to themselves."""

from django.core.management.base import BaseCommand

from haidang.places.address_check import check_old_communes


class Command(BaseCommand):
    help = (
        "Read every old commune's official full address (commune, district, province) on its last day through "
        "the address resolver and print the share that resolves to the commune itself."
    )

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=1, help="Read only every N-th commune (a sample).")
        parser.add_argument("--misses", type=int, default=20, help="How many misses to list.")

    def handle(self, *args, every: int = 1, misses: int = 20, **options):
        check = check_old_communes(every=max(1, every), keep_misses=misses)
        for address, status, gave in check.misses[:misses]:
            self.stdout.write(f"  miss: {address} → {status} {gave}")
        per = check.seconds / check.total * 1000 if check.total else 0.0
        self.stdout.write(
            f"Old communes read: {check.total:,}; resolved to themselves: {check.itself:,} "
            f"({check.share:.2%}); statuses {dict(check.statuses)}; {check.seconds:.1f} s ({per:.1f} ms an address)."
        )
