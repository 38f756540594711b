"""API: victim cases. Intake, the list with filters, reads, updates with a version, transitions, the worklist,
and on each case its linked persons, protection decisions, shelter stays, Form 07 applications and files.

Every endpoint needs the right to see cases (403 `forbidden` without it) and gets its cases from
`cases_visible_to`: a case outside the user's scope answers 404 exactly like a missing one.
Identifying fields are masked unless the reader's role shows identities for that case. Each read
of a case is audited (`cases.case_viewed`); a list call writes one entry (`cases.case_list_viewed`).
Writes go through the services; a stale `version` answers 409 `conflict` and writes nothing.

Field names in errors are paths in the request body: `person.full_name`, `case.unit` on intake;
`route` on an update; `target`, `note`, `data.decision_date` on a transition; the body's own field
names on the protection, shelter and reintegration endpoints (`risk_assessment`, `start_date`).
Sealed or restricted values on those (names, risk assessments, reasons, the facility, file names) are
masked unless the reader sees identities; a file is downloaded only by such a reader, audited.
"""

from dataclasses import asdict
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status, UploadedFile

from haidang.access.roles import Capability
from haidang.access.scope import scope_for
from haidang.access.selectors import agencies_visible_to
from haidang.audit.services import record_event
from haidang.cases import protection, selectors, services, support, workflow
from haidang.cases.models import Case, CaseAttachment, LinkedPerson, ProtectionDecision, ShelterStay
from haidang.cases.schemas import (
    ApplicationDecisionIn,
    ApplicationIn,
    ApplicationList,
    ApplicationOut,
    AttachmentList,
    AttachmentOut,
    CaseCreateIn,
    CaseDetailOut,
    CaseFilters,
    CaseIn,
    CaseList,
    CasePatch,
    EligibilityList,
    ExtensionIn,
    LinkedPersonIn,
    LinkedPersonList,
    LinkedPersonOut,
    LinkedPersonPatch,
    Paging,
    PersonIn,
    PersonMatchList,
    ProtectionDecisionIn,
    ProtectionDecisionList,
    ProtectionDecisionOut,
    ProtectionEndIn,
    ProtectionRefusalIn,
    ReferralIn,
    ReferralList,
    ReferralOut,
    ShelterStayEndIn,
    ShelterStayIn,
    ShelterStayList,
    ShelterStayOut,
    SupportItemIn,
    SupportItemList,
    SupportItemOut,
    TransferDecisionIn,
    TransferIn,
    TransferOut,
    TransitionIn,
    Worklist,
)
from haidang.common.api import ApiError, ErrorOut, error_fields, invalid, not_found, paginate
from haidang.places.errors import UnitLookupError
from haidang.places.selectors import resolve_unit

router = Router(tags=["cases"])

PERSON_FIELDS = frozenset(PersonIn.model_fields)
CASE_FIELDS = frozenset(CaseIn.model_fields)
TRANSITION_FIELDS = frozenset({"target", "version", "note"})


# --- Checks and errors -----------------------------------------------------------------------------



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



def _named(error: ValidationError, name) -> ApiError:
    """A service's ValidationError as a 400 whose field names are paths in the request body."""
    return invalid({name(key): messages for key, messages in error_fields(error).items()})


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
        raise invalid(errors)
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
        raise invalid(errors)
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
        raise invalid(errors)
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
        raise invalid(errors)
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
        raise invalid(errors)
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
        raise invalid({"q": [_("Give a name or a document number.")]})
    if len(q) > 150 or len(document) > 60 or "\x00" in q + document:
        raise invalid({"q": [_("Enter valid text of the allowed length.")]})
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


# --- Linked persons, protection, shelter stays, reintegration applications, attachments -------------
# Every endpoint reads the case through `_case_for` (404 out of scope, the read audited with whether
# identities were shown), and every write goes through one service in `protection.py`, which is atomic,
# writes the timeline and the audit log, and names the field of each refusal (400 `invalid`).


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


def _link_out(link: LinkedPerson, show: bool) -> dict:
    return {
        "id": link.id,
        "relationship": link.relationship,
        "relationship_label": str(link.get_relationship_display()),
        "is_protected": link.is_protected,
        "notes": _masked(link.notes, show),
        "birth_date": link.person.birth_date if show else None,
        "person": asdict(selectors.person_view(link.person, show_identity=show)),
    }


@router.get(
    "/cases/{case_id}/linked-persons",
    response={200: LinkedPersonList, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Accompanying children and relatives of the case's person (identities masked unless shown)",
    description="The read is written to the audit log (`cases.case_viewed`, purpose `linked_persons`), saying "
    "whether identities were shown.",
)
def list_linked_persons(request, case_id: UUID):
    case = _case_for(request, case_id, "linked_persons")
    show = selectors.can_see_identity(request.user, case)
    links = case.linked_persons.select_related("person").order_by("relationship", "person__birth_year", "id")
    items = [_link_out(link, show) for link in links]
    return {"items": items, "count": len(items), "identities_shown": show}


@router.post(
    "/cases/{case_id}/linked-persons",
    response={201: LinkedPersonOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Record an accompanying child (under 18 on the reception date) or a relative",
    description="The person's identifying fields are sealed as at intake and matched through keyed hashes. "
    "Refusals name the field: `relationship`, `full_name`, `birth_year`, `document_type`, `case` (closed).",
)
def create_linked_person(request, case_id: UUID, payload: LinkedPersonIn):
    case = _editable(request, case_id, "linked_persons")
    if payload.document_number.strip() and not payload.document_type:
        raise invalid({"document_type": [_("Say which document this number belongs to.")]})
    person_data = payload.dict(exclude={"relationship", "is_protected", "notes"})
    link = _written(
        protection.link_person,
        actor=request.user,
        case=case,
        person_data=person_data,
        relationship=payload.relationship,
        is_protected=payload.is_protected,
        notes=payload.notes,
    )
    link = LinkedPerson.objects.select_related("person").get(pk=link.pk)
    return Status(201, _link_out(link, selectors.can_see_identity(request.user, case)))


@router.patch(
    "/cases/{case_id}/linked-persons/{link_id}",
    response={200: LinkedPersonOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Change a linked person's relationship, protection flag or notes (only the fields sent)",
    description="`is_protected` cannot be cleared while a protection decision for the person is in force.",
)
def update_linked_person(request, case_id: UUID, link_id: UUID, payload: LinkedPersonPatch):
    case = _editable(request, case_id, "linked_persons")
    link = case.linked_persons.filter(pk=link_id).first()
    if link is None:
        raise not_found()
    data = {name: getattr(payload, name) for name in payload.model_fields_set}
    link = _written(protection.update_link, actor=request.user, link=link, data=data)
    return _link_out(link, selectors.can_see_identity(request.user, case))


def _decision_out(view: protection.ProtectionView) -> dict:
    decision = view.decision
    return {
        "id": decision.id,
        "subject_id": decision.subject_id,
        "subject": view.subject,
        "risk_assessment": view.risk_assessment,
        "risk_level": decision.risk_level,
        "decided_on": decision.decided_on,
        "decided_by": decision.decided_by,
        "measures": list(decision.measures or []),
        "other_measure": view.other_measure,
        "status": decision.status,
        "status_label": str(decision.get_status_display()),
        "refusal_reason": view.refusal_reason,
        "commitment_recorded": decision.commitment_recorded,
        "commitment_date": decision.commitment_date,
        "commitment_file": decision.commitment_file_id,
        "ended_on": decision.ended_on,
        "end_reason": view.end_reason,
    }


def _one_decision(request, case: Case, decision_id) -> dict:
    view = next(v for v in protection.protection_decisions_for(request.user, case) if v.decision.pk == decision_id)
    return _decision_out(view)


def _decision_for(case: Case, decision_id: UUID) -> ProtectionDecision:
    decision = case.protection_decisions.filter(pk=decision_id).first()
    if decision is None:
        raise not_found()
    return decision


@router.get(
    "/cases/{case_id}/protection-decisions",
    response={200: ProtectionDecisionList, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Protection decisions of the case (Law 53/2024 Art. 34–35), oldest first",
    description="The risk assessment, the other measure and the reasons given are masked unless the role shows "
    "identities for the case. The read is audited (`cases.case_viewed`, purpose `protection`).",
)
def list_protection_decisions(request, case_id: UUID):
    case = _case_for(request, case_id, "protection")
    items = [_decision_out(view) for view in protection.protection_decisions_for(request.user, case)]
    return {"items": items, "count": len(items), "identities_shown": selectors.can_see_identity(request.user, case)}


@router.post(
    "/cases/{case_id}/protection-decisions",
    response={201: ProtectionDecisionOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Record a protection decision: subject, risk assessment and level, competent body, date, measures",
    description="Refusals name the field: `subject`, `risk_assessment`, `risk_level`, `decided_on`, `decided_by`, "
    "`measures`, `other_measure`, `case` (closed).",
)
def create_protection_decision(request, case_id: UUID, payload: ProtectionDecisionIn):
    case = _editable(request, case_id, "protection")
    errors: dict = {}
    subject = _person_on_case(
        case, payload.subject, errors, "subject", _("Choose the person of this case or one of their linked persons.")
    )
    if errors:
        raise invalid(errors)
    data = {**payload.dict(), "subject": subject}
    decision = _written(protection.decide_protection, actor=request.user, case=case, data=data)
    return Status(201, _one_decision(request, case, decision.pk))


@router.post(
    "/cases/{case_id}/protection-decisions/{decision_id}/refusal",
    response={200: ProtectionDecisionOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="The person refuses protection: the reason and the written commitment (attached or kept on paper)",
    description="Attach the signed commitment first (POST /cases/{id}/attachments, kind `protection_commitment`) "
    "and send its id as `commitment_file`, or send `commitment_recorded: true` with `commitment_date`. A decision "
    "no longer in force answers 400 naming `status`.",
)
def refuse_protection(request, case_id: UUID, decision_id: UUID, payload: ProtectionRefusalIn):
    case = _editable(request, case_id, "protection")
    decision = _decision_for(case, decision_id)
    data = payload.dict()
    if payload.commitment_file is not None:
        data["commitment_file"] = protection.attachments_for(case).filter(pk=payload.commitment_file).first()
        if data["commitment_file"] is None:
            raise invalid({"commitment_file": [_("Not found.")]})
    _written(protection.record_refusal, actor=request.user, decision=decision, data=data)
    return _one_decision(request, case, decision.pk)


@router.post(
    "/cases/{case_id}/protection-decisions/{decision_id}/end",
    response={200: ProtectionDecisionOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="End a protection decision in force (the date and the reason)",
)
def end_protection(request, case_id: UUID, decision_id: UUID, payload: ProtectionEndIn):
    case = _editable(request, case_id, "protection")
    decision = _decision_for(case, decision_id)
    _written(protection.end_protection, actor=request.user, decision=decision, data=payload.dict())
    return _one_decision(request, case, decision.pk)


def _stay_out(view: protection.StayView, show: bool) -> dict:
    stay = view.stay
    return {
        "id": stay.id,
        "person_id": stay.person_id,
        "person": view.person,
        "facility": view.facility,
        "facility_id": stay.facility_id if show else None,
        "start_date": stay.start_date,
        "end_date": stay.end_date,
        "due": view.deadline.due,
        "overdue": stay.end_date is None and view.deadline.overdue,
        "extended_until": stay.extended_until,
        "extension_decision_number": stay.extension_decision_number,
        "extension_decided_on": stay.extension_decided_on,
        "extension_decided_by": stay.extension_decided_by,
    }


def _one_stay(request, case: Case, stay_id) -> dict:
    show = selectors.can_see_identity(request.user, case)
    view = next(v for v in protection.shelter_stays_for(request.user, case) if v.stay.pk == stay_id)
    return _stay_out(view, show)


def _stay_for(case: Case, stay_id: UUID) -> ShelterStay:
    stay = case.shelter_stays.filter(pk=stay_id).first()
    if stay is None:
        raise not_found()
    return stay


@router.get(
    "/cases/{case_id}/shelter-stays",
    response={200: ShelterStayList, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Shelter stays with their limit (120 days on the case, Decree 162 Art. 17, or the extension)",
    description="The facility (where the person is) is masked unless the role shows identities for the case. "
    "The read is audited (`cases.case_viewed`, purpose `shelter`).",
)
def list_shelter_stays(request, case_id: UUID):
    case = _case_for(request, case_id, "shelter")
    show = selectors.can_see_identity(request.user, case)
    items = [_stay_out(view, show) for view in protection.shelter_stays_for(request.user, case)]
    return {"items": items, "count": len(items), "identities_shown": show}


@router.post(
    "/cases/{case_id}/shelter-stays",
    response={201: ShelterStayOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="A person (the case's person or a linked person) starts a stay at a facility",
    description="Refused (400 naming `start_date`) while the person has an open or overlapping stay, or when the "
    "120 days are used and no extension comes with it. Other fields: `person`, `facility`, `extended_until`, "
    "`extension_decision_number`, `extension_decided_on`, `case` (closed).",
)
def create_shelter_stay(request, case_id: UUID, payload: ShelterStayIn):
    case = _editable(request, case_id, "shelter")
    errors: dict = {}
    person = _person_on_case(
        case, payload.person, errors, "person", _("Choose the person of this case or one of their linked persons.")
    )
    facility = _agency(request, errors, "facility", payload.facility)
    if errors:
        raise invalid(errors)
    data = {**payload.dict(), "person": person, "facility": facility}
    stay = _written(protection.start_stay, actor=request.user, case=case, data=data)
    return Status(201, _one_stay(request, case, stay.pk))


@router.post(
    "/cases/{case_id}/shelter-stays/{stay_id}/extension",
    response={200: ShelterStayOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Record the decision that extends an open stay past its limit",
)
def extend_shelter_stay(request, case_id: UUID, stay_id: UUID, payload: ExtensionIn):
    case = _editable(request, case_id, "shelter")
    stay = _stay_for(case, stay_id)
    _written(protection.extend_stay, actor=request.user, stay=stay, data=payload.dict())
    return _one_stay(request, case, stay.pk)


@router.post(
    "/cases/{case_id}/shelter-stays/{stay_id}/end",
    response={200: ShelterStayOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="End an open stay (not past its limit unless an extension is recorded)",
    description="A stay that has already ended answers 400 naming `status`.",
)
def end_shelter_stay(request, case_id: UUID, stay_id: UUID, payload: ShelterStayEndIn):
    case = _editable(request, case_id, "shelter")
    stay = _stay_for(case, stay_id)
    _written(protection.end_stay, actor=request.user, stay=stay, data=payload.dict())
    return _one_stay(request, case, stay.pk)


def _application_out(view: protection.ApplicationView, show: bool) -> dict:
    application = view.application
    return {
        "id": application.id,
        "beneficiary_id": application.beneficiary_id,
        "beneficiary": view.beneficiary,
        "applicant": application.applicant,
        "applicant_name": view.applicant_name,
        "submitted_via": application.submitted_via,
        "received_on": application.received_on,
        "regimes": list(application.regimes or []),
        "status": application.status,
        "status_label": str(application.get_status_display()),
        "decided_on": application.decided_on,
        "decision_number": application.decision_number,
        "reason": _masked(application.reason, show),
        "approved_regimes": list(application.approved_regimes or []),
        "due": view.deadline.due,
        "overdue": view.deadline.overdue,
        "decided_late": view.deadline.decided_late,
    }


def _one_application(request, case: Case, application_id) -> dict:
    show = selectors.can_see_identity(request.user, case)
    view = next(v for v in protection.applications_for(request.user, case) if v.application.pk == application_id)
    return _application_out(view, show)


@router.get(
    "/cases/{case_id}/reintegration-applications",
    response={200: ApplicationList, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Form 07 applications (schooling, vocational training, hardship allowance) with their 9-day limit",
    description="The family member's name and the reason are masked unless the role shows identities. "
    "The read is audited (`cases.case_viewed`, purpose `reintegration`).",
)
def list_applications(request, case_id: UUID):
    case = _case_for(request, case_id, "reintegration")
    show = selectors.can_see_identity(request.user, case)
    items = [_application_out(view, show) for view in protection.applications_for(request.user, case)]
    return {"items": items, "count": len(items), "identities_shown": show}


@router.post(
    "/cases/{case_id}/reintegration-applications",
    response={201: ApplicationOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Record a Form 07 application on receipt (the case's person or an accompanying child)",
    description="For an identified victim only (400 naming `case`); one application per beneficiary waits at "
    "a time (`beneficiary`); for a victim under 18 the family files (`applicant`, `applicant_name`).",
)
def create_application(request, case_id: UUID, payload: ApplicationIn):
    case = _editable(request, case_id, "reintegration")
    errors: dict = {}
    beneficiary = _person_on_case(
        case, payload.beneficiary, errors, "beneficiary", _("Choose the person of this case or an accompanying child.")
    )
    if errors:
        raise invalid(errors)
    data = {**payload.dict(), "beneficiary": beneficiary}
    application = _written(protection.receive_application, actor=request.user, case=case, data=data)
    return Status(201, _one_application(request, case, application.pk))


@router.post(
    "/cases/{case_id}/reintegration-applications/{application_id}/decision",
    response={200: ApplicationOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="The Department of Health approves (decision number, regimes) or refuses (reason) an application",
    description="Each approved regime is checked against the eligibility engine on the decision date. An "
    "application already decided answers 400 naming `status`; a decision after the limit is marked late.",
)
def decide_application(request, case_id: UUID, application_id: UUID, payload: ApplicationDecisionIn):
    case = _editable(request, case_id, "reintegration")
    application = case.reintegration_applications.filter(pk=application_id).first()
    if application is None:
        raise not_found()
    data = payload.dict(exclude_none=True)
    _written(protection.decide_application, actor=request.user, application=application, data=data)
    return _one_application(request, case, application.pk)


def _attachment_out(item: CaseAttachment, show: bool) -> dict:
    return {
        "id": item.id,
        "kind": item.kind,
        "kind_label": str(item.get_kind_display()),
        "name": item.original_name if show else selectors.MASK,
        "content_type": item.content_type,
        "size": item.size,
        "uploaded_at": item.uploaded_at,
        "uploaded_by": item.uploaded_by.username if item.uploaded_by_id else None,
    }


@router.get(
    "/cases/{case_id}/attachments",
    response={200: AttachmentList, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Files kept with the case: metadata only (the file name masked unless identities are shown)",
    description="The read is audited (`cases.case_viewed`, purpose `attachments`). The content is read only by "
    "the download, which is audited on its own.",
)
def list_attachments(request, case_id: UUID):
    case = _case_for(request, case_id, "attachments")
    show = selectors.can_see_identity(request.user, case)
    rows = protection.attachments_for(case).select_related("uploaded_by")
    if not show:
        rows = rows.defer("original_name")  # masked anyway: leave it sealed
    items = [_attachment_out(item, show) for item in rows]
    return {"items": items, "count": len(items), "identities_shown": show}


@router.post(
    "/cases/{case_id}/attachments",
    response={201: AttachmentOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Keep a file with the case (multipart: `kind` and `file`); the type is recognised from its content",
    description="PDF, images (PNG, JPEG, GIF, WebP) and office documents without macros, up to the configured "
    "size; the name sent is never trusted for the type. Refusals name `file` or `kind`. The file is sealed at rest.",
)
def create_attachment(request, case_id: UUID, kind: Form[str], file: File[UploadedFile] = None):
    # `file` is optional here so that a missing file is refused by the service, naming `file`.
    case = _editable(request, case_id, "attachments")
    attachment = _written(protection.add_attachment, actor=request.user, case=case, kind=kind, uploaded_file=file)
    item = protection.attachments_for(case).select_related("uploaded_by").get(pk=attachment.pk)
    return Status(201, _attachment_out(item, selectors.can_see_identity(request.user, case)))


@router.get(
    "/cases/{case_id}/attachments/{attachment_id}/download",
    response={200: None, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="The file itself (audited); 403 for a reader who sees identities masked, 404 out of scope",
    description="A document may show who the person is: only readers who see identities on the case get it, and "
    "every download (and every refusal) is written to the audit log.",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file, as an attachment, with its recognised content type.",
                "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def download_attachment(request, case_id: UUID, attachment_id: UUID):
    _require(request, Capability.VIEW_CASES)
    attachment = protection.get_attachment_for_user(request.user, attachment_id)
    if attachment is None or attachment.case_id != case_id:
        raise not_found()
    result = protection.download_attachment(actor=request.user, attachment=attachment)
    if result is None:
        raise not_found()
    name, content_type, content = result
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Length"] = str(len(content))
    return response
