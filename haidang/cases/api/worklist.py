"""The case list with its filters, and the worklist (what is waiting for the user)."""

from django.utils.translation import gettext as _
from ninja import Query

from haidang.access.roles import Capability
from haidang.audit.services import record_event
from haidang.cases import selectors
from haidang.cases.api._common import _case_list_items, _require, router
from haidang.cases.filters import filter_cases
from haidang.cases.models import Case
from haidang.cases.schemas import CaseFilters, CaseList, Paging, Worklist
from haidang.common.api import ErrorOut, invalid, paginate, plain_answer
from haidang.common.queries import Later
from haidang.places.territory import API_NOTE as TERRITORY_NOTE
from haidang.places.territory import territory_into


@router.get(
    "/cases",
    response={200: CaseList, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    summary="Cases in the user's scope, most recently received first",
    description="Filters: `status`, `unit` and `as_of` (below), `received_from`/`received_to` (dates, inclusive; "
    "an impossible date answers 400 naming it), `intake_channel`, `q` (beginning of the case number). Identifying "
    "fields are masked unless the role shows identities for the case; the call is written to the audit log once, "
    "with the number of rows shown. " + TERRITORY_NOTE,
)
def list_cases(request, filters: Query[CaseFilters]):
    _require(request, Capability.VIEW_CASES)
    errors: dict[str, list[str]] = {}
    if filters.received_from and filters.received_to and filters.received_to < filters.received_from:
        errors["received_to"] = [_("The end must come after the start.")]
    territory = territory_into(
        errors, filters.unit, filters.as_of, start=filters.received_from, end=filters.received_to
    )
    if errors:
        raise invalid(errors)
    # No related rows on the ordered list: the page's rows are read apart (selectors.case_list), and a
    # select_related is deep-copied at every clone the paging and counting make.
    chosen = {
        "received_from": filters.received_from,
        "received_to": filters.received_to,
        "status": filters.status.value if filters.status is not None else "",
        "intake_channel": filters.intake_channel.value if filters.intake_channel is not None else "",
        "number": filters.q.strip(),
    }
    user = request.user

    def listed():
        return filter_cases(
            selectors.cases_visible_to(user).select_related(None).order_by("-reception_date", "-created_at", "-id"),
            territory=territory,
            **chosen,
        )

    # The page is picked on the case table, then read as values (no model objects): see selectors.case_list.
    # The statements are kept compiled per reader and filters (`common.queries.statement`), and the queryset
    # built only to compile them; not with a unit, whose territory is read from the map at each request.
    if territory is None:
        key, queryset = ("case-list", selectors.visible_key(user), *chosen.values()), Later(Case, listed)
    else:
        key, queryset = None, listed()
    page = paginate(
        selectors.case_list(user, queryset, key=key), filters.page, filters.page_size, _case_list_items(user)
    )
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
    # Written directly: the rows are already the schema's plain values (see common.api.plain_answer).
    return plain_answer(request, CaseList, page)


# Before /cases/{case_id} (the package imports this module first), so that "worklist" is never read as an id.
@router.get(
    "/cases/worklist",
    response={200: Worklist, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    summary="What is waiting for the user, overdue first",
    description="Cases in the user's scope waiting for a step: reported or received (due at once, Art. 27(1): "
    "on the reception day, overdue from the next day), or in initial verification (due the configured number "
    "of days after the Department of Health was notified).",
)
def worklist(request, paging: Query[Paging]):
    _require(request, Capability.VIEW_CASES)
    items = selectors.worklist(request.user)

    def serialize(item) -> dict:
        return {
            "case_id": item.case.id,
            "number": item.case.number,
            "status": item.case.status,
            "status_label": item.case.status_label,
            "kind": item.kind,
            "due": item.due,
            "overdue": item.overdue,
        }

    # Sorted and sliced in the database: one page of rows, and a count of every waiting case.
    return plain_answer(request, Worklist, paginate(items, paging.page, paging.page_size, serialize))
