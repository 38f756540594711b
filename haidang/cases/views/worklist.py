"""The worklist: what is due, the transfers waiting for an answer, the applications to decide, the cases."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from haidang.access.roles import Capability
from haidang.access.scope import scope_for
from haidang.cases import selectors, workflow
from haidang.cases.forms import CaseFilterForm, TransferDecisionForm
from haidang.cases.models import Transfer, TransferStatus
from haidang.cases.permissions import can_record_intake, require_view_cases
from haidang.cases.views._common import IMMEDIATE_KINDS, _status_label

PAGE_SIZE = 50


WORK_PAGE_SIZE = 50


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
    addressed = scope_for(user).filter(
        Transfer.objects.filter(status=TransferStatus.PENDING).select_related("case", "from_unit", "to_unit"),
        Capability.EDIT_CASES,
        unit_field="to_unit",
    )
    return addressed.exclude(requested_by=user).order_by("requested_at")


def _render_worklist(request, *, decisions: dict | None = None, status: int = 200):
    """The worklist; `decisions` holds a submitted answer to a transfer (by its id) to show with its errors."""
    user = request.user
    decisions = decisions or {}
    incoming = []
    if scope_for(user).can(Capability.EDIT_CASES):
        for transfer in _incoming_transfers(user)[:WORK_PAGE_SIZE]:
            form = decisions.get(transfer.pk) or TransferDecisionForm(transfer=transfer)
            incoming.append({"transfer": transfer, "form": form, "open": transfer.pk in decisions})
    items = selectors.worklist(user)
    work_page = Paginator(items, WORK_PAGE_SIZE).get_page(request.GET.get("work_page"))
    work_rows = [
        {
            "case": item.case,
            "label": _work_label(item.kind),
            "due": item.due,
            "overdue": item.overdue,
            "immediate": item.kind in IMMEDIATE_KINDS,
        }
        for item in work_page
    ]
    filters = CaseFilterForm(request.GET or None)
    cases = selectors.cases_visible_to(user)
    if filters.is_valid():
        if filters.cleaned_data["status"]:
            cases = cases.filter(status=filters.cleaned_data["status"])
        if filters.cleaned_data["number"]:
            cases = cases.filter(number__icontains=filters.cleaned_data["number"])
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "work_page": work_page,
        "work_rows": work_rows,
        "overdue_count": items.overdue_count(),
        "filters": filters,
        "page": page,
        "can_record": can_record_intake(user),
        "incoming": incoming,
        "applications": [
            {"application": application, "deadline": deadline}
            for application, deadline in selectors.applications_waiting_for(user, limit=WORK_PAGE_SIZE)
        ],
    }
    return render(request, "cases/worklist.html", context, status=status)
