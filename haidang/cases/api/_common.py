"""What the cases API shares: the router, the checks and errors, the case as output, and the case
read through the scoped selector (`_case_for`: 404 out of scope, the read audited with whether
identities were shown; `_editable` for a write). The linked-person, protection, shelter,
reintegration and file endpoints write through one service of the `protection` package each
(`_written`), which is atomic, writes the timeline and the audit log, and names the field of each
refusal (400 `invalid`).

The route modules import from here, never from each other: they register their routes on the one
router in the order the package imports them (see `__init__`).
"""

from dataclasses import asdict
from datetime import date
from uuid import UUID

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router

from haidang.access.roles import Capability
from haidang.access.scope import scope_for
from haidang.access.selectors import agencies_visible_to
from haidang.cases import selectors, support, workflow
from haidang.cases.models import Case, LinkedPerson, status_label
from haidang.common.api import ApiError, error_fields, invalid, not_found
from haidang.common.isotext import json_time
from haidang.common.schemas import agency_ref, unit_ref
from haidang.places.errors import UnitLookupError
from haidang.places.selectors import resolve_unit

router = Router(tags=["cases"])


def _require(request, capability: str) -> None:
    if not scope_for(request.user).can(capability):
        raise ApiError(403, "forbidden", _("Your role does not allow this."))


def _named(error: ValidationError, name) -> ApiError:
    """A service's ValidationError as a 400 whose field names are paths in the request body."""
    return invalid({name(key): messages for key, messages in error_fields(error).items()})


def _unit(errors: dict, field: str, code: str, day):
    """The unit with `code` valid on `day`; a lookup failure is recorded on `field`."""
    try:
        return resolve_unit(code, day)
    except UnitLookupError as exc:
        errors.setdefault(field, []).append(str(exc))
        return None


def _case_out(user, case: Case) -> dict:
    person = selectors.case_person_view(user, case)
    return {
        "id": case.id,
        "number": case.number,
        "version": case.version,
        "status": case.status,
        "status_label": str(case.get_status_display()),
        "legal_regime": case.legal_regime,
        "intake_channel": case.intake_channel,
        "reception_date": case.reception_date,
        "notified_at": case.notified_at,
        "unit": unit_ref(case.unit),
        "agency": agency_ref(case.agency),
        "found_abroad": case.found_abroad,
        "found_country": case.found_country,
        "abroad": support.is_abroad(case),
        "returned_on": case.returned_on,
        "return_border_gate": case.return_border_gate,
        "exploitation_forms": list(case.exploitation_forms or []),
        "destination_country": case.destination_country,
        "route": case.route,
        "recruitment_method": case.recruitment_method,
        "criminal_proceeding_number": case.criminal_proceeding_number,
        "assigned_to": case.assigned_to.username if case.assigned_to_id else None,
        "created_at": case.created_at,
        "updated_at": case.updated_at,
        "person": asdict(person),
    }


def _case_list_item(user, row: dict) -> dict:
    """`_case_out` for a row of `selectors.case_list` (plain values: the list builds no model objects)."""
    return _case_list_items(user)(row)


def _case_list_items(user):
    """`_case_list_item` for one reader's page: the scope's identity rule, today and the status labels
    (translated in the active language) are read once for the page, not once per row."""
    shows_identity = selectors.identity_rule(user)
    today = timezone.localdate()
    labels: dict[str, str] = {}

    def item(row: dict) -> dict:
        show = shows_identity(row["unit__placement_path"] or row["unit__path"], row["assigned_to_id"])
        status = row["status"]
        if status not in labels:
            labels[status] = status_label(status)
        return _case_list_row(row, show, labels[status], today)

    return item


def _case_list_row(row: dict, show: bool, label: str, today) -> dict:
    """Days and times as the text the answer writes (`selectors.case_list`)."""
    returned_on = row["returned_on_text"]
    return {
        "id": row["id"],
        "number": row["number"],
        "version": row["version"],
        "status": row["status"],
        "status_label": label,
        "legal_regime": row["legal_regime"],
        "intake_channel": row["intake_channel"],
        "reception_date": row["reception_date_text"],
        "notified_at": json_time(row["notified_at_text"]),
        "unit": {"code": row["unit__code"], "name": row["unit__name"], "level": row["unit__level"]},
        "agency": {"id": row["agency__id"], "name": row["agency__name"]},
        "found_abroad": row["found_abroad"],
        "found_country": row["found_country"],
        "abroad": support.abroad_on(
            found_abroad=row["found_abroad"],
            intake_channel=row["intake_channel"],
            returned_on=date.fromisoformat(returned_on) if returned_on else None,
            on=today,
        ),
        "returned_on": returned_on,
        "return_border_gate": row["return_border_gate"],
        "exploitation_forms": list(row["exploitation_forms"] or []),
        "destination_country": row["destination_country"],
        "route": row["route"],
        "recruitment_method": row["recruitment_method"],
        "criminal_proceeding_number": row["criminal_proceeding_number"],
        "assigned_to": row["assigned_to__username"] if row["assigned_to_id"] else None,
        "created_at": json_time(row["created_at_text"]),
        "updated_at": json_time(row["updated_at_text"]),
        "person": selectors.person_values_view(row, show_identity=show),
    }


def _allowed_transitions(user, case: Case) -> list[dict]:
    """The moves this user may make now: those the table allows from the status that one of the
    user's agencies may take under the law (`cases.authority`)."""
    if not selectors.can_edit_case(user, case):
        return []
    memberships = selectors.acting_memberships(user, case)
    return [
        {
            "target": str(transition.target),
            "label": str(transition.label),
            "requires": list(transition.requires),
            "needs_note": transition.needs_note,
            "article": transition.authority.article,
        }
        for transition in workflow.transitions_from(case.status)
        if selectors.acting_for(user, case, transition.authority, memberships=memberships).allowed
    ]


def _case_detail(user, case: Case) -> dict:
    events = case.events.select_related("actor").order_by("event_date", "recorded_at", "id")
    return {
        **_case_out(user, case),
        "can_edit": selectors.can_edit_case(user, case),
        "timeline": [
            {
                "kind": event.kind,
                "from_status": event.from_status,
                "to_status": event.to_status,
                "event_date": event.event_date,
                "recorded_at": event.recorded_at,
                "actor": event.actor.username if event.actor_id else None,
                "note": event.note,
            }
            for event in events
        ],
        "allowed_transitions": _allowed_transitions(user, case),
    }


def _after_write(request, case: Case) -> dict:
    # Read back through the scoped selector (related rows in one query); the access is already audited.
    fresh = selectors.cases_visible_to(request.user).select_related("person").filter(pk=case.pk).first()
    return _case_detail(request.user, fresh or case)


def _case_for(request, case_id: UUID, purpose: str) -> Case:
    _require(request, Capability.VIEW_CASES)
    case = selectors.get_case_for_user(request.user, case_id, purpose=purpose)
    if case is None:
        raise not_found()
    return case


def _agency(request, errors: dict, field: str, agency_id):
    agency = agencies_visible_to(request.user).filter(pk=agency_id, is_active=True).first()
    if agency is None:
        errors.setdefault(field, []).append(_("Not found."))
    return agency


def _editable(request, case_id: UUID, purpose: str) -> Case:
    """The case for a write: 404 outside the user's scope, 403 for a reader who may not change it."""
    case = _case_for(request, case_id, purpose)
    if not selectors.can_edit_case(request.user, case):
        raise ApiError(403, "forbidden", _("Your role does not allow this."))
    return case


def _written(call, **kwargs):
    """Run a service; its refusals become a 400 naming the fields as in the request body."""
    try:
        return call(**kwargs)
    except ValidationError as error:
        raise _named(error, str) from None


def _person_on_case(case: Case, person_id, errors: dict, field: str, message: str):
    """The case's person or one of its linked persons by person id (None: the case's person)."""
    if person_id is None or person_id == case.person_id:
        return case.person
    link = LinkedPerson.objects.filter(case=case, person_id=person_id).select_related("person").first()
    if link is None:
        errors.setdefault(field, []).append(message)
        return None
    return link.person


def _masked(value: str, show: bool) -> str:
    return value if show else (selectors.MASK if value else "")
