"""What the case services share: the country-code check and the timeline event."""

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haidang.cases.models import Case, CaseEvent
from haidang.common.countries import is_country_code
from haidang.common.text import clean_text

COUNTRY_MESSAGE = _("“%(code)s” is not a country code: enter an ISO 3166-1 alpha-3 code (KHM, CHN, LAO…).")


def _country_ok(value) -> bool:
    """Empty, or an ISO 3166-1 alpha-3 code of a country that exists (XYZ and QQQ do not)."""
    code = clean_text(value)
    return not code or is_country_code(code)


def _event(
    case: Case,
    *,
    actor,
    kind: str,
    note: str = "",
    data: dict | None = None,
    source="",
    target="",
    event_date: date | None = None,
) -> CaseEvent:
    """A timeline row: what happened on `event_date` (default today), recorded now."""
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        actor=actor,
        event_date=event_date or timezone.localdate(),
        recorded_at=timezone.now(),
        note=note,
        data=data or {},
        from_status=source,
        to_status=target,
    )
