"""API: victim cases. Intake, the list with filters, reads, updates with a version, transitions, the worklist.

Every endpoint needs the right to see cases (403 `forbidden` without it) and gets its cases from
`cases_visible_to`: a case outside the user's scope answers 404 exactly like a missing one.
Identifying fields are masked unless the reader's role shows identities for that case. Each read
of a case is audited (`cases.case_viewed`); a list call writes one entry (`cases.case_list_viewed`).
Writes go through the services; a stale `version` answers 409 `conflict` and writes nothing.

Field names in errors are paths in the request body: `person.full_name`, `case.unit` on intake;
`route` on an update; `target`, `note`, `data.decision_date` on a transition.
"""

from dataclasses import asdict
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from haidang.access.roles import Capability
from haidang.access.scope import scope_for
from haidang.access.selectors import agencies_visible_to
from haidang.audit.services import record_event
from haidang.cases import selectors, services, support, workflow
from haidang.cases.models import Case
from haidang.cases.schemas import (
    CaseCreateIn,
    CaseDetailOut,
    CaseFilters,
    CaseIn,
    CaseList,
    CasePatch,
    EligibilityList,
    Paging,
    PersonIn,
    PersonMatchList,
    ReferralIn,
    ReferralList,
    ReferralOut,
    SupportItemIn,
    SupportItemList,
    SupportItemOut,
    TransferDecisionIn,
    TransferIn,
    TransferOut,
    TransitionIn,
    Worklist,
)
from haidang.common.api import ApiError, ErrorOut, not_found, paginate
from haidang.places.errors import UnitLookupError
from haidang.places.selectors import resolve_unit

router = Router(tags=["cases"])

PERSON_FIELDS = frozenset(PersonIn.model_fields)
CASE_FIELDS = frozenset(CaseIn.model_fields)
TRANSITION_FIELDS = frozenset({"target", "version", "note"})


# --- Checks and errors -----------------------------------------------------------------------------


def _invalid(fields: dict[str, list[str]]) -> ApiError:
    return ApiError(400, "invalid", _("The request has invalid values."), fields)


def _require(request, capability: str) -> None:
    if not scope_for(request.user).can(capability):
        raise ApiError(403, "forbidden", _("Your role does not allow this."))


def _conflict(stale: services.StaleVersionError) -> ApiError:
    current = str(stale.current_version)
    return ApiError(
        409,
        "conflict",
        _("Someone saved this case after you read it (now version %(version)s); reload it and try again.")
        % {"version": current},
        {"version": [current], "current_version": [current]},
    )


def _messages(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {("non_field" if key == "__all__" else key): list(value) for key, value in error.message_dict.items()}
    return {"non_field": list(error.messages)}


def _named(error: ValidationError, name) -> ApiError:
    """A service's ValidationError as a 400 whose field names are paths in the request body."""
    return _invalid({name(key): messages for key, messages in _messages(error).items()})


def _intake_field(key: str) -> str:
    if key in PERSON_FIELDS:
        return f"person.{key}"
    if key in CASE_FIELDS:
        return f"case.{key}"
    return key


def _transition_field(key: str) -> str:
    return key if key in TRANSITION_FIELDS or key == "non_field" else f"data.{key}"


def _unit(errors: dict, field: str, code: str, day):
    """The unit with `code` valid on `day`; a lookup failure is recorded on `field`."""
    try:
        return resolve_unit(code, day)
    except UnitLookupError as exc:
        errors.setdefault(field, []).append(str(exc))
        return None


# --- Output ----------------------------------------------------------------------------------------


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
        "unit": {"code": case.unit.code, "name": case.unit.name, "level": case.unit.level},
        "agency": {"id": case.agency.id, "name": case.agency.name},
        "found_abroad": case.found_abroad,
        "found_country": case.found_country,
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


def _allowed_transitions(user, case: Case) -> list[dict]:
    if not selectors.can_edit_case(user, case):
        return []
    scope = scope_for(user)
    return [
        {
            "target": str(transition.target),
            "label": str(transition.label),
            "requires": list(transition.requires),
            "needs_note": transition.needs_note,
        }
        for transition in workflow.transitions_from(case.status)
        if scope.can(transition.capability)
    ]


def _case_detail(user, case: Case) -> dict:
    events = case.events.select_related("actor").order_by("occurred_at", "id")
    return {
        **_case_out(user, case),
        "can_edit": selectors.can_edit_case(user, case),
        "timeline": [
            {
                "kind": event.kind,
                "from_status": event.from_status,
                "to_status": event.to_status,
                "occurred_at": event.occurred_at,
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


# --- List and intake -------------------------------------------------------------------------------


@router.get(
    "/cases",
    response={200: CaseList, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    summary="Cases in the user's scope, most recently received first",
    description="Filters: `status`, `unit` (code as of `received_to`, default today; with the units below it "
    "and the old units the crosswalk places in it), `received_from`/`received_to` (ISO dates, inclusive), "
    "`intake_channel`, `q` (beginning of the case number). Identifying fields are masked unless the role "
    "shows identities for the case; the call is written to the audit log once, with the number of rows shown.",
)
def list_cases(request, filters: Query[CaseFilters]):
    _require(request, Capability.VIEW_CASES)
    errors: dict[str, list[str]] = {}
    if filters.received_from and filters.received_to and filters.received_to < filters.received_from:
        errors["received_to"] = [_("The end must come after the start.")]
    visible = selectors.with_person(selectors.cases_visible_to(request.user), request.user)
    queryset = visible.order_by("-reception_date", "-created_at", "-id")
    if filters.unit.strip():
        unit = _unit(errors, "unit", filters.unit, filters.received_to or timezone.localdate())
        if unit is not None:
            # A current unit: its subtree and the old units placed in it. An old unit: its own old subtree.
            queryset = queryset.filter(
                Q(unit__placement_path__startswith=unit.path) | Q(unit__path__startswith=unit.path)
            )
    if errors:
        raise _invalid(errors)
    if filters.status is not None:
        queryset = queryset.filter(status=filters.status.value)
    if filters.intake_channel is not None:
        queryset = queryset.filter(intake_channel=filters.intake_channel.value)
    if filters.received_from is not None:
        queryset = queryset.filter(reception_date__gte=filters.received_from)
    if filters.received_to is not None:
        queryset = queryset.filter(reception_date__lte=filters.received_to)
    if filters.q.strip():
        queryset = queryset.filter(number__startswith=filters.q.strip().upper())

    user = request.user
    page = paginate(queryset, filters.page, filters.page_size, lambda case: _case_out(user, case))
    used = {
        name: str(value.value if hasattr(value, "value") else value)
        for name, value in filters.model_dump(exclude={"page", "page_size"}).items()
        if value not in (None, "")
    }
    record_event(
        action="cases.case_list_viewed",
        actor=user,
        object_type="cases.case",
        changes={
            "count": len(page["items"]),
            "identities_shown": any(item["person"]["identities_shown"] for item in page["items"]),
            "filters": used,
            "page": page["page"],
        },
    )
    return page


@router.post(
    "/cases",
    response={201: CaseDetailOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    summary="Intake: record the person and open their case",
    description="The unit (and the person's residence unit) by code valid on `case.reception_date`; the agency by "
    "id. Errors name the field by its path: `person.full_name`, `case.reception_date`, `case.unit`.",
)
def create_case(request, payload: CaseCreateIn):
    _require(request, Capability.VIEW_CASES)
    _require(request, Capability.EDIT_CASES)
    day = payload.case.reception_date
    errors: dict[str, list[str]] = {}
    unit = _unit(errors, "case.unit", payload.case.unit, day)
    agency = agencies_visible_to(request.user).filter(pk=payload.case.agency, is_active=True).first()
    if agency is None:
        errors["case.agency"] = [_("Not found.")]
    residence = None
    if payload.person.residence_unit.strip():
        residence = _unit(errors, "person.residence_unit", payload.person.residence_unit, day)
    if errors:
        raise _invalid(errors)
    person_data = {**payload.person.model_dump(), "residence_unit": residence}
    case_data = {**payload.case.model_dump(), "unit": unit, "agency": agency}
    try:
        case = services.create_case(actor=request.user, person_data=person_data, case_data=case_data)
    except ValidationError as error:
        raise _named(error, _intake_field) from None
    return Status(201, _after_write(request, case))


# Before /cases/{case_id}, so that "worklist" is never read as an id.
@router.get(
    "/cases/worklist",
    response={200: Worklist, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    summary="What is waiting for the user, overdue first",
    description="Cases in the user's scope waiting for a step: reported, received, or in initial verification "
    "(due the configured number of days after the Department of Health was notified).",
)
def worklist(request, paging: Query[Paging]):
    _require(request, Capability.VIEW_CASES)
    items = selectors.worklist(request.user)

    def serialize(item) -> dict:
        return {
            "case_id": item.case.id,
            "number": item.case.number,
            "status": item.case.status,
            "status_label": str(item.case.get_status_display()),
            "kind": item.kind,
            "due": item.due,
            "overdue": item.overdue,
        }

    # Sorted and sliced in the database: one page of rows, and a count of every waiting case.
    return paginate(items, paging.page, paging.page_size, serialize)


# --- One case --------------------------------------------------------------------------------------


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
    try:
        case = services.update_case(actor=request.user, case=case, version=payload.version, data=data)
    except services.StaleVersionError as stale:
        raise _conflict(stale) from None
    return _after_write(request, case)


@router.post(
    "/cases/{case_id}/transitions",
    response={200: CaseDetailOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Move the case along the path (targets in `allowed_transitions` of GET /cases/{id})",
    description="A move the table does not allow answers 400 naming `target`; missing required data answers 400 "
    "naming `data.<key>` (or `note`); a stale `version` answers 409 `conflict`. A refused move changes nothing.",
)
def transition_case(request, case_id: UUID, payload: TransitionIn):
    case = _case_for(request, case_id, "transition")
    data = {key: value for key, value in payload.data.model_dump(exclude_unset=True).items() if value is not None}
    try:
        case = services.transition_case(
            actor=request.user, case=case, target=payload.target, version=payload.version, note=payload.note, data=data
        )
    except services.StaleVersionError as stale:
        raise _conflict(stale) from None
    except ValidationError as error:
        raise _named(error, _transition_field) from None
    return _after_write(request, case)


# --- Eligibility, support items, referrals, transfers ------------------------------------------------


def _agency(request, errors: dict, field: str, agency_id):
    agency = agencies_visible_to(request.user).filter(pk=agency_id, is_active=True).first()
    if agency is None:
        errors.setdefault(field, []).append(_("Not found."))
    return agency


@router.get(
    "/cases/{case_id}/eligibility",
    response={200: EligibilityList, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="The support regimes each beneficiary is entitled to today, each with its article and reason",
)
def case_eligibility(request, case_id: UUID):
    case = _case_for(request, case_id, "view")
    items = []
    for person in support.beneficiaries(case):
        assessment = support.assess_case(case, person)
        items.append(
            {
                "beneficiary_id": str(person.pk),
                "legal_regime": str(assessment.legal_regime),
                "legal_regime_reason": assessment.legal_regime_reason,
                "decisions": [
                    {
                        "regime": str(d.regime),
                        "outcome": str(d.outcome),
                        "article": d.article,
                        "reason": d.reason,
                        "conditions": list(d.conditions),
                    }
                    for d in assessment.decisions
                ],
            }
        )
    return {"items": items, "count": len(items)}


def _support_out(item) -> dict:
    return {
        "id": item.id,
        "regime": item.regime,
        "item": item.item,
        "provider_id": item.provider_id,
        "beneficiary_id": item.beneficiary_id,
        "start_date": item.start_date,
        "end_date": item.end_date,
        "quantity": item.quantity,
        "unit_amount": int(item.unit_amount),
        "total": int(item.total),
        "decision_number": item.decision_number,
    }


@router.get(
    "/cases/{case_id}/support-items",
    response={200: SupportItemList, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Support delivered on the case",
)
def list_support_items(request, case_id: UUID):
    case = _case_for(request, case_id, "view")
    items = [_support_out(item) for item in case.support_items.order_by("start_date", "recorded_at")]
    return {"items": items, "count": len(items)}


@router.post(
    "/cases/{case_id}/support-items",
    response={201: SupportItemOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Record a support item at the provincial rate valid on its date",
    description="Refused (400 naming the field) when the beneficiary is not entitled to the regime (the message "
    "gives the article), when no rate is in force, or when the item would pass its limit without a recorded "
    "extension decision.",
)
def create_support_item(request, case_id: UUID, payload: SupportItemIn):
    case = _case_for(request, case_id, "support")
    errors: dict = {}
    provider = _agency(request, errors, "provider", payload.provider)
    beneficiary = None
    if payload.beneficiary is not None:
        beneficiary = next((p for p in support.beneficiaries(case) if p.pk == payload.beneficiary), None)
        if beneficiary is None:
            errors.setdefault("beneficiary", []).append(_("Not found."))
    if errors:
        raise _invalid(errors)
    data = payload.dict()
    data.update({"provider": provider, "beneficiary": beneficiary})
    item = support.record_support_item(actor=request.user, case=case, data=data)
    return Status(201, _support_out(item))


def _referral_out(referral) -> dict:
    return {
        "id": referral.id,
        "provider_id": referral.provider_id,
        "service_type": referral.service_type,
        "reason": referral.reason,
        "status": referral.status,
        "outcome": referral.outcome,
        "follow_up_on": referral.follow_up_on,
    }


@router.get(
    "/cases/{case_id}/referrals",
    response={200: ReferralList, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Referrals of the case to service providers",
)
def list_referrals(request, case_id: UUID):
    case = _case_for(request, case_id, "view")
    items = [_referral_out(r) for r in case.referrals.order_by("created_at")]
    return {"items": items, "count": len(items)}


@router.post(
    "/cases/{case_id}/referrals",
    response={201: ReferralOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Refer the person to a service provider (needs their consent for referral, or a legal basis)",
)
def create_referral(request, case_id: UUID, payload: ReferralIn):
    case = _case_for(request, case_id, "referral")
    errors: dict = {}
    provider = _agency(request, errors, "provider", payload.provider)
    consent = None
    if payload.consent is not None:
        consent = case.consents.filter(pk=payload.consent).first()
        if consent is None:
            errors.setdefault("consent", []).append(_("Not found."))
    if errors:
        raise _invalid(errors)
    data = payload.dict()
    data.update({"provider": provider, "consent": consent})
    referral = services.create_referral(actor=request.user, case=case, data=data)
    return Status(201, _referral_out(referral))


def _transfer_out(transfer) -> dict:
    return {
        "id": transfer.id,
        "to_unit": transfer.to_unit.code,
        "to_agency_id": transfer.to_agency_id,
        "status": transfer.status,
        "reason": transfer.reason,
    }


@router.post(
    "/cases/{case_id}/transfer",
    response={201: TransferOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Ask another unit to take the case (needs consent for transfer, or a legal basis)",
)
def request_transfer(request, case_id: UUID, payload: TransferIn):
    case = _case_for(request, case_id, "transfer")
    errors: dict = {}
    to_unit = _unit(errors, "to_unit", payload.to_unit, timezone.localdate())
    # The receiving agency is usually outside the sender's area: any active agency may be named.
    from haidang.access.models import Agency

    to_agency = Agency.objects.filter(pk=payload.to_agency, is_active=True).select_related("unit").first()
    if to_agency is None:
        errors.setdefault("to_agency", []).append(_("Not found."))
    consent = None
    if payload.consent is not None:
        consent = case.consents.filter(pk=payload.consent).first()
        if consent is None:
            errors.setdefault("consent", []).append(_("Not found."))
    if errors:
        raise _invalid(errors)
    data = payload.dict()
    data.update({"to_unit": to_unit, "to_agency": to_agency, "consent": consent})
    transfer = services.request_transfer(actor=request.user, case=case, data=data)
    return Status(201, _transfer_out(transfer))


@router.post(
    "/cases/{case_id}/transfer/{transfer_id}/decision",
    response={200: TransferOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="The receiving unit accepts or declines a transfer (the case and its scope move on acceptance)",
)
def decide_transfer(request, case_id: UUID, transfer_id: UUID, payload: TransferDecisionIn):
    from haidang.cases.models import Transfer

    _require(request, Capability.EDIT_CASES)
    transfer = Transfer.objects.select_related("case", "to_unit").filter(pk=transfer_id, case_id=case_id).first()
    # The receiving unit cannot see the case yet; the transfer addressed to it is what it may answer.
    if transfer is None or not services.can_decide_transfer(request.user, transfer):
        raise not_found()
    transfer = services.decide_transfer(actor=request.user, transfer=transfer, accept=payload.accept, note=payload.note)
    return _transfer_out(transfer)


@router.get(
    "/persons/search",
    response={200: PersonMatchList, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    summary="Possible duplicates of a person among the cases the user may see (name in any spelling, document)",
    description="`q` is a name, compared without diacritics, case and word order; `document` an identity document "
    "number; `birth_year` raises the score. Names are shown only to roles that see identities. Never merges.",
)
def search_persons(request, q: str = "", document: str = "", birth_year: int | None = None):
    _require(request, Capability.VIEW_CASES)
    if not q.strip() and not document.strip():
        raise _invalid({"q": [_("Give a name or a document number.")]})
    if len(q) > 150 or len(document) > 60 or "\x00" in q + document:
        raise _invalid({"q": [_("Enter valid text of the allowed length.")]})
    matches = selectors.duplicate_candidates(request.user, full_name=q, document_number=document, birth_year=birth_year)
    # The visible cases of every match in one query (unit and assignee decide what is shown).
    by_person: dict = {}
    cases = (
        selectors.cases_visible_to(request.user)
        .select_related(None)
        .select_related("unit")
        .filter(person__in=[match.person.pk for match in matches])
        .order_by("reception_date", "number")
    )
    for case in cases:
        by_person.setdefault(case.person_id, []).append(case)
    items = []
    for match in matches:
        person_cases = by_person.get(match.person.pk, [])
        show = any(selectors.can_see_identity(request.user, case) for case in person_cases)
        items.append(
            {
                "person_id": match.person.pk,
                "score": match.score,
                "reasons": list(match.reasons),
                "case_numbers": [case.number for case in person_cases],
                "full_name": match.person.full_name if show else selectors.MASK,
                "birth_year": match.person.birth_year,
            }
        )
    record_event(action="cases.person_search", actor=request.user, changes={"results": len(items)})
    return {"items": items, "count": len(items)}

