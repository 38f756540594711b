"""The worklist: what is due, the transfers waiting for an answer, the applications to decide, the cases."""

from collections.abc import Mapping
from functools import cache
from types import MappingProxyType
from uuid import UUID

from django.core.paginator import Paginator
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from haidang.access.roles import Capability
from haidang.access.scope import scope_for
from haidang.cases import selectors, workflow
from haidang.cases.forms import CaseFilterForm, TransferDecisionForm
from haidang.cases.models import (
    Case,
    IntakeChannel,
    ReintegrationApplication,
    Transfer,
    TransferStatus,
    status_labels,
)
from haidang.cases.permissions import can_record_intake, require_view_cases
from haidang.cases.views._common import IMMEDIATE_KINDS, _status_label
from haidang.common.dates import format_day
from haidang.common.labels import choice_labels
from haidang.common.queries import Later, built
from haidang.common.rowpatterns import RowPattern

PAGE_SIZE = 50


WORK_PAGE_SIZE = 50
LIST_FIELDS = ("id", "number", "status", "reception_date", "intake_channel", "unit__name", "agency__name")
# The two tables' rows, printed by pattern (`common.rowpatterns`): up to a hundred rows of seven values.
WORK_ROW = RowPattern("cases/rows/work_row.html", ("url", "number", "label", "due_iso", "due_shown", "status", "unit"))
CASE_ROW = RowPattern("cases/rows/case_row.html", ("url", "number", "status", "received", "channel", "unit", "agency"))


def _work_variant(row: dict) -> tuple:
    return (("overdue", row["overdue"]), ("immediate", row["immediate"]))


def _work_label(kind: str) -> str:
    if kind == "initial_verification":
        return _("Initial verification (Art. 27(2)): identify, continue verification or decide")
    steps = workflow.transitions_from(kind)
    return str(steps[0].label) if steps else _status_label(kind)


@require_GET
@require_view_cases
def worklist(request):
    return _render_worklist(request)


def _incoming_transfers(user):
    """Transfers addressed to units where the user may take cases, waiting for an answer.

    The receiving unit cannot see the case before it accepts: these rows carry no identity, only
    the case number, where it comes from, when it was asked and why. A user's own requests are left out."""
    # The status as a literal (`in_codes`): bound, it matches the partial index `one_pending_transfer`'s
    # condition, and SQLite then prepares the page's whole counts statement again at every run.
    addressed = scope_for(user).filter(
        Transfer.objects.filter(status__in_codes=[TransferStatus.PENDING]).select_related(
            "case", "from_unit", "to_unit"
        ),
        Capability.EDIT_CASES,
        unit_field="to_unit",
        by_path=True,  # the few pending transfers checked through their unit, not a list of ~700 ids
    )
    return addressed.exclude(requested_by=user).order_by("requested_at")


@cache
def _page_urls(prefix: str) -> Mapping[str, str]:
    """The page's links, reversed once per process and URL prefix (like the frame's, `common.context_processors`):
    they depend only on the code and the prefix. `case` is a pattern for a case's page."""
    return MappingProxyType(
        {
            "case": reverse("cases:detail", args=[_PLACEHOLDER]).replace(str(_PLACEHOLDER), "{}"),
            "intake": reverse("cases:intake"),
            "break_glass": reverse("cases:break_glass"),
            "rates": reverse("cases:rates"),
        }
    )


_PLACEHOLDER = UUID(int=0)


# The blank filter form by language, rendered once per process: it is the same for every user and changes
# only with the code and its translations (its labels and the status choices), which a new process loads.
# A filled-in form (a search) is rendered each time.
_BLANK_FILTERS: dict[str, str] = {}


def _filter_fields(filters: CaseFilterForm | None) -> str:
    """The filter form as typed (`filters`), or blank (None): a blank form is not even built per request."""
    if filters is not None:
        return render_to_string("cases/_filter_fields.html", {"filters": filters})
    language = get_language()
    if language not in _BLANK_FILTERS:
        _BLANK_FILTERS[language] = render_to_string("cases/_filter_fields.html", {"filters": CaseFilterForm()})
    return _BLANK_FILTERS[language]


def _render_worklist(request, *, decisions: dict | None = None, status: int = 200):
    """The worklist; `decisions` holds a submitted answer to a transfer (by its id) to show with its errors.

    The rows are prepared here as plain values (labels, days, links) and printed by pattern
    (`WORK_ROW`, `CASE_ROW`): per-row translation tags, date filters, URL reversing and then the
    engine's work for each value were most of the page's time.
    """
    user = request.user
    decisions = decisions or {}
    filters = CaseFilterForm(request.GET) if request.GET else None
    # Counted and paged on the case table, the rows read apart (case_rows): no related rows to copy at each clone.
    status_filter = number_filter = ""
    if filters is not None and filters.is_valid():
        status_filter, number_filter = filters.cleaned_data["status"], filters.cleaned_data["number"]

    def listed_cases():
        cases = selectors.cases_visible_to(user).select_related(None)
        if status_filter:
            cases = cases.filter(status=status_filter)
        if number_filter:
            cases = cases.filter(number__icontains=number_filter)
        return cases

    # What the page's statements are made of (they are kept compiled, `common.queries.statement`): the
    # reader's scope (the cases it sees, the units where it answers transfers) and the filters.
    listed_key = ("worklist-page", selectors.visible_key(user), status_filter, number_filter)
    items = selectors.worklist(user)
    # Every count of the page in one statement; the transfers and applications, most often none,
    # are then read only when there are some.
    # The querysets are built only when their statement is compiled (Later).
    cases = Later(Case, listed_cases)
    waiting = Later(ReintegrationApplication, lambda: selectors.applications_waiting(user))
    others = {"listed": cases, "applications": waiting}
    transfers = None
    if scope_for(user).can(Capability.EDIT_CASES):
        transfers = Later(Transfer, lambda: _incoming_transfers(user))
        others["incoming"] = transfers
    edit_units = scope_for(user).units(Capability.EDIT_CASES) if transfers is not None else None
    found = items.count_with(key=(listed_key, edit_units), **others)
    listed = found["listed"]
    incoming = []
    if found.get("incoming"):
        for transfer in built(transfers)[:WORK_PAGE_SIZE]:
            form = decisions.get(transfer.pk) or TransferDecisionForm(transfer=transfer)
            incoming.append({"transfer": transfer, "form": form, "open": transfer.pk in decisions})
    applications = []
    if found["applications"]:
        applications = [
            {"application": application, "deadline": deadline}
            for application, deadline in selectors.applications_waiting_for(user, limit=WORK_PAGE_SIZE)
        ]
    work_page = Paginator(items, WORK_PAGE_SIZE).get_page(request.GET.get("work_page"))
    # The page is picked on the case table, then only its rows are read, as the values shown (no
    # model objects); the count above ran on the whole filter.
    rows = selectors.case_rows(cases, LIST_FIELDS, count=listed, key=listed_key)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    urls = _page_urls(get_script_prefix())
    case_url = urls["case"]
    language = get_language()
    statuses, channels = status_labels(language), choice_labels(IntakeChannel, language)
    work_rows = [
        {
            "url": case_url.format(item.case.pk),
            "number": item.case.number,
            "label": _work_label(item.kind),
            "due": item.due,
            "due_iso": "" if item.due is None else item.due.isoformat(),
            "due_shown": format_day(item.due),
            "overdue": item.overdue,
            "immediate": item.kind in IMMEDIATE_KINDS,
            "status": statuses.get(item.case.status, item.case.status),
            "unit": item.case.unit_name,
        }
        for item in work_page
    ]
    case_rows = [
        {
            "url": case_url.format(pk),
            "number": number,
            "status": statuses.get(status, status),
            "received": format_day(received),
            "channel": channels.get(channel, channel),
            "unit": unit,
            "agency": agency,
        }
        for pk, number, status, received, channel, unit, agency in page
    ]
    context = {
        "work_page": work_page,
        "work_rows": work_rows,
        "work_rows_html": WORK_ROW.render(work_rows, _work_variant),
        "overdue_count": items.overdue_count(),
        "filters": filters,
        "filter_fields": _filter_fields(filters),
        "page": page,
        "case_rows": case_rows,
        "case_rows_html": CASE_ROW.render(case_rows),
        "can_record": can_record_intake(user),
        "incoming": incoming,
        "applications": applications,
        "page_urls": urls,
    }
    return render(request, "cases/worklist.html", context, status=status)
