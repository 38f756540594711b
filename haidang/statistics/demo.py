"""Demonstration data for statistics (synthetic): one published province release.

The analyst (national statistics rights) builds a public quarterly release for Hà Nội — the
quarter of the last two years with the most victims received, so that some figures can be shown —
from the demonstration records seeded by `seed_proceedings_demo`; Hà Nội's coordinator approves
and publishes it. Runs once: a database that already holds it is left alone.
"""

import logging

from django.core.exceptions import ValidationError
from django.utils import timezone

from haidang.access.models import User
from haidang.places.models import AdministrativeUnit
from haidang.reporting.periods import PeriodType, containing, shift
from haidang.statistics import services
from haidang.statistics.models import Audience, Release
from haidang.statistics.query import run_series

logger = logging.getLogger(__name__)

TITLE = "Mua bán người tại Hà Nội — số liệu công bố (minh họa)"
# Tried in order: the richest set of tables that can be published safely.
TABLE_SETS = (
    (["victims_received", "criminal_cases_detected", "suspects_prosecuted"], ["sex", "origin"]),
    (["victims_received", "criminal_cases_detected", "suspects_prosecuted"], []),
    (["criminal_cases_detected"], []),
)


def seed_statistics_demo() -> Release | None:
    """Idempotent; called by `manage.py seed_demo` after the proceedings demonstration."""
    existing = Release.objects.filter(title=TITLE).first()
    if existing is not None:
        return existing
    author = User.objects.filter(username="analyst").first()
    approver = User.objects.filter(username="coordinator.hanoi").first()
    hanoi = AdministrativeUnit.objects.filter(code="01", level=1, valid_to__isnull=True).first()
    if author is None or approver is None or hanoi is None:
        return None
    last = shift(containing(PeriodType.QUARTER, timezone.localdate()), -1)
    quarters = [shift(last, -steps) for steps in range(8)]
    series = run_series(author, "victims_received", quarters, hanoi)
    quarter = max(series, key=lambda result: (result.total, result.period)).period
    for indicators, breakdowns in TABLE_SETS:
        try:
            spec = services.check_spec(
                title=TITLE,
                audience=Audience.PUBLIC,
                indicators=indicators,
                breakdowns=breakdowns,
                period=quarter,
                unit=hanoi,
                level=0,
                note="Số liệu minh họa, không phải số liệu thật.",
            )
            release = services.create_release(actor=author, spec=spec)
        except ValidationError:
            logger.info("Demo release with %s by %s cannot be protected; trying fewer tables.", indicators, breakdowns)
            continue
        services.approve_release(actor=approver, release=release)
        return services.publish_release(actor=approver, release=release)
    return None
