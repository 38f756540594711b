"""What the case services share: the country-code check and the timeline event."""

from django.utils import timezone

from haidang.cases.models import Case, CaseEvent
from haidang.common.text import clean_text


def _country_ok(value) -> bool:
    code = clean_text(value)
    return not code or (len(code) == 3 and code.isalpha() and code.isascii())


def _event(case: Case, *, actor, kind: str, note: str = "", data: dict | None = None, source="", target="") -> None:
    CaseEvent.objects.create(
        case=case,
        kind=kind,
        actor=actor,
        occurred_at=timezone.now(),
        note=note,
        data=data or {},
        from_status=source,
        to_status=target,
    )
