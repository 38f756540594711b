"""The search for possible duplicates of a person, and the linked persons of a case."""

from dataclasses import asdict
from uuid import UUID

from django.utils.translation import gettext as _
from ninja import Status

from haidang.access.roles import Capability
from haidang.audit.services import record_event
from haidang.cases import protection, selectors
from haidang.cases.api._common import _case_for, _editable, _masked, _require, _written, router
from haidang.cases.models import LinkedPerson
from haidang.cases.schemas import LinkedPersonIn, LinkedPersonList, LinkedPersonOut, LinkedPersonPatch, PersonMatchList
from haidang.common.api import ErrorOut, invalid, not_found, plain_answer


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
    matches = selectors.person_matches(request.user, full_name=q, document_number=document, birth_year=birth_year)
    items = [
        {
            "person_id": match.person_id,
            "score": match.score,
            "reasons": [str(reason) for reason in match.reasons],
            "case_numbers": list(match.case_numbers),
            "full_name": match.full_name,
            "birth_year": match.birth_year,
        }
        for match in matches
    ]
    record_event(action="cases.person_search", actor=request.user, changes={"results": len(items)})
    return plain_answer(request, PersonMatchList, {"items": items, "count": len(items)})


def _link_out(link: LinkedPerson, show: bool) -> dict:
    return {
        "id": link.id,
        "version": link.version,
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
    response={200: LinkedPersonOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Change a linked person's relationship, protection flag or notes (only the fields sent)",
    description="Send `version` as read: when the link changed since, nothing is written and the answer is 409 "
    "`conflict` with the current version in `fields.current_version`. `is_protected` cannot be cleared while a "
    "protection decision for the person is in force; a closed case answers 400 naming `case`.",
)
def update_linked_person(request, case_id: UUID, link_id: UUID, payload: LinkedPersonPatch):
    case = _editable(request, case_id, "linked_persons")
    link = case.linked_persons.filter(pk=link_id).first()
    if link is None:
        raise not_found()
    data = {name: getattr(payload, name) for name in payload.model_fields_set - {"version"}}
    link = _written(protection.update_link, actor=request.user, link=link, version=payload.version, data=data)
    return _link_out(link, selectors.can_see_identity(request.user, case))
