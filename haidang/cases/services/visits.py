"""Follow-up visits: how the person is doing, their needs and the next visit."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from haidang.audit.services import record_event
from haidang.cases.models import Case, FollowUpVisit
from haidang.cases.selectors import can_edit_case
from haidang.cases.services._common import _event
from haidang.common.text import clean_text
from haidang.places.errors import format_day


@transaction.atomic
def record_visit(*, actor, case: Case, data: dict):
    if not can_edit_case(actor, case):
        raise PermissionDenied
    errors: dict = {}
    visit_date, next_visit = data.get("visit_date"), data.get("next_visit_on")
    if visit_date is None:
        errors["visit_date"] = [_("This field is required.")]
    elif visit_date > timezone.localdate():
        errors["visit_date"] = [_("%(day)s is in the future.") % {"day": format_day(visit_date)}]
    if not clean_text(data.get("situation")):
        errors["situation"] = [_("This field is required.")]
    if visit_date is not None and next_visit is not None and next_visit <= visit_date:
        errors["next_visit_on"] = [_("The next visit must come after this one.")]
    if errors:
        raise ValidationError(errors)
    visit = FollowUpVisit.objects.create(
        case=case,
        visit_date=visit_date,
        situation=clean_text(data["situation"]),
        needs=clean_text(data.get("needs")),
        next_visit_on=next_visit,
        recorded_by=actor,
    )
    _event(
        case, actor=actor, kind="visit_recorded", data={"visit": str(visit.pk), "visit_date": visit_date.isoformat()}
    )
    record_event(
        action="cases.visit_recorded", actor=actor, target=case, unit=case.unit, changes={"visit": str(visit.pk)}
    )
    return visit
