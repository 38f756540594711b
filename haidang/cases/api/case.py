"""One case: its read, the change of its details with the version read, and its transitions."""

from uuid import UUID

from django.core.exceptions import ValidationError

from haidang.cases import services
from haidang.cases.api._common import _after_write, _case_detail, _case_for, _named, router
from haidang.cases.schemas import CaseDetailOut, CasePatch, CaseReturnIn, TransitionIn
from haidang.common.api import ErrorOut

TRANSITION_FIELDS = frozenset({"target", "version", "note", "event_date", "late_reason"})


def _transition_field(key: str) -> str:
    return key if key in TRANSITION_FIELDS or key == "non_field" else f"data.{key}"


@router.get(
    "/cases/{case_id}",
    response={200: CaseDetailOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="One case with its timeline and the moves the user may make (404 when missing or out of scope)",
    description="The read is written to the audit log (`cases.case_viewed`), saying whether identities were shown.",
)
def get_case(request, case_id: UUID):
    case = _case_for(request, case_id, "view")
    return _case_detail(request.user, case)


@router.patch(
    "/cases/{case_id}",
    response={200: CaseDetailOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Change the case's details: only the fields sent, with the version read (409 when someone saved since)",
    description="Send `version` as read. When the case changed since, nothing is written and the answer is 409 "
    "`conflict` with the current version in `fields.current_version`; reload and apply the change again. "
    "`exploitation_forms` is replaced whole when sent. The status changes only through /transitions.",
)
def update_case(request, case_id: UUID, payload: CasePatch):
    case = _case_for(request, case_id, "update")
    data = {name: getattr(payload, name) for name in payload.model_fields_set - {"version"}}
    case = services.update_case(actor=request.user, case=case, version=payload.version, data=data)
    return _after_write(request, case)


@router.post(
    "/cases/{case_id}/transitions",
    response={200: CaseDetailOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Move the case along the path (targets in `allowed_transitions` of GET /cases/{id})",
    description="A move the table does not allow answers 400 naming `target`; missing required data answers 400 "
    "naming `data.<key>` (or `note`); an `event_date` in the future or before the previous step answers 400 "
    "naming `event_date`; a stale `version` answers 409 `conflict`. A step the law gives to another kind of "
    "agency answers 403 saying who may take it (`cases.authority`). A refused move changes nothing.",
)
def transition_case(request, case_id: UUID, payload: TransitionIn):
    case = _case_for(request, case_id, "transition")
    data = {key: value for key, value in payload.data.model_dump(exclude_unset=True).items() if value is not None}
    try:
        case = services.transition_case(
            actor=request.user,
            case=case,
            target=payload.target,
            version=payload.version,
            note=payload.note,
            data=data,
            event_date=payload.event_date,
            late_reason=payload.late_reason,
        )
    except ValidationError as error:
        raise _named(error, _transition_field) from None
    return _after_write(request, case)


@router.post(
    "/cases/{case_id}/return",
    response={200: CaseDetailOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Record that a person found abroad came back to Vietnam (the day and the border gate)",
    description="From that day the person is in Vietnam for eligibility (Art. 37(3) para 2 instead of para 1). "
    "Taken by the bodies that receive persons (Art. 27(1), 30(1)); others answer 403 saying who may.",
)
def record_return(request, case_id: UUID, payload: CaseReturnIn):
    case = _case_for(request, case_id, "return")
    try:
        case = services.record_return(
            actor=request.user,
            case=case,
            version=payload.version,
            returned_on=payload.returned_on,
            border_gate=payload.border_gate,
            late_reason=payload.late_reason,
        )
    except ValidationError as error:
        raise _named(error, str) from None
    return _after_write(request, case)
