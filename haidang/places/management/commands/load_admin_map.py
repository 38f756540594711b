"""Load Vietnam's administrative maps (2025 two-tier and the last three-tier) and the crosswalk."""

from django.core.management.base import BaseCommand, CommandError

from haidang.places.services import MapInUseError, load_admin_map
from haidang.places.sources import SourceDataError


class Command(BaseCommand):
    help = (
        "Load the nation root, the 2025 two-tier map (vietnam-provinces), the last three-tier map and the "
        "crosswalk (vietnamadminunits). Does nothing when the map is already loaded."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reload",
            action="store_true",
            help="Delete and rebuild the map; refused once any record refers to a unit.",
        )

    def handle(self, *args, reload: bool = False, verbosity: int = 1, **options):
        try:
            result = load_admin_map(reload=reload)
        except MapInUseError as exc:
            raise CommandError(f"Not reloading: records of {exc} refer to administrative units.") from exc
        except SourceDataError as exc:
            raise CommandError(f"Administrative map data is not usable: {exc}") from exc
        if verbosity < 1:
            return
        c = result.counts
        state = f"Loaded in {result.seconds:.1f} s" if result.loaded else "Already loaded, nothing written"
        line = (
            f"{state}: {c['nation']} nation; from 01/07/2025 {c['new_provinces']:,} provinces, "
            f"{c['new_communes']:,} communes; until 30/06/2025 {c['old_provinces']:,} provinces, "
            f"{c['old_districts']:,} districts, {c['old_communes']:,} communes; "
            f"{c['successions']:,} crosswalk links."
        )
        if result.loaded:
            line += (
                f" {len(result.code_disagreements)} 2025 commune codes in vietnamadminunits differ from "
                f"vietnam-provinces (official codes used)."
            )
        self.stdout.write(line)
        if verbosity >= 2 and result.loaded:
            self.stdout.write(f"Package versions: {result.package_versions}")
            for note in result.code_disagreements:
                self.stdout.write(f"  code differs: {note}")
            for note in result.spelling_differences:
                self.stdout.write(f"  spelling differs (vietnamadminunits / vietnam-provinces): {note}")
