"""Transfer of a case to another unit, and the receiving unit's answer."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from haidang.access.models import Agency
from haidang.access.roles import Capability
from haidang.access.scope import scope_for
from haidang.cases import selectors, services
from haidang.cases.forms import TransferDecisionForm, TransferForm
from haidang.cases.models import Transfer, TransferStatus
from haidang.cases.permissions import require_edit_cases, require_view_cases
from haidang.cases.views._common import (
    _agencies,
    _apply_errors,
    _case_context,
    _case_or_404,
    _editable_case,
    _label,
    _live_consents,
    _save_form,
)
from haidang.cases.views.worklist import _render_worklist
from haidang.places.forms import unit_in_data


def _agencies_over(unit) -> list:
    """Active agencies working in `unit`: those at the unit itself or at a unit above it."""
    ids = [int(part) for part in (unit.path or "").strip("/").split("/") if part.isdigit()]
    return list(
        Agency.objects.filter(unit_id__in=ids, is_active=True).select_related("unit").order_by("-unit__level", "name")
    )


def _transfer_form(user, case, data=None):
    shown = []
    unit = unit_in_data(data, "to_unit", timezone.localdate()) if data is not None else None
    if unit is not None:
        shown = _agencies_over(unit)
    seen = {agency.pk for agency in shown}
    shown += [agency for agency in _agencies(user) if agency.pk not in seen]
    return TransferForm(
        data,
        agencies=Agency.objects.filter(is_active=True).select_related("unit"),
        shown_agencies=shown,
        consents=_live_consents(case, "transfer"),
    )


def _render_transfer(request, case, *, form=None, status: int = 200):
    user = request.user
    can_edit = selectors.can_edit_case(user, case)
    transfers = list(
        case.transfers.select_related("from_unit", "from_agency", "to_unit", "to_agency").order_by("-requested_at")
    )
    pending = next((t for t in transfers if t.status == TransferStatus.PENDING), None)
    if can_edit and pending is None and form is None:
        form = _transfer_form(user, case)
    context = {
        **_case_context(request, case, "transfer", can_edit=can_edit),
        "transfers": [
            {"transfer": t, "status": _label(TransferStatus.choices, t.status), "pending": t is pending}
            for t in transfers
        ],
        "pending": pending,
        # While a transfer waits no new one is offered; a refused submission still shows why.
        "form": form if pending is None or (form is not None and form.is_bound) else None,
        "has_consent": _live_consents(case, "transfer").exists() if can_edit else False,
    }
    return render(request, "cases/transfer.html", context, status=status)


@require_http_methods(["GET", "POST"])
@require_view_cases
def transfer(request, case_id):
    if request.method == "GET":
        return _render_transfer(request, _case_or_404(request, case_id, "transfer"))
    case = _editable_case(request, case_id, "transfer")
    form = _transfer_form(request.user, case, request.POST)
    saved = _save_form(
        request,
        form,
        lambda data: services.request_transfer(actor=request.user, case=case, data=data),
        lambda _transfer: (
            _("Transfer requested: %(unit)s will accept or decline it.") % {"unit": form.cleaned_data["to_unit"].name}
        ),
        "cases:transfer",
        case,
    )
    return saved or _render_transfer(request, case, form=form, status=400)


@require_POST
@require_edit_cases
def transfer_decide(request, transfer_id):
    """The receiving unit's answer. The transfer is found among those addressed to the user's units
    (a case the user cannot see yet); anything else is a 404."""
    found = scope_for(request.user).filter(
        Transfer.objects.select_related("case", "to_unit"), Capability.EDIT_CASES, unit_field="to_unit"
    )
    transfer = found.filter(pk=transfer_id).first()
    if transfer is None:
        raise Http404
    if transfer.status != TransferStatus.PENDING:
        messages.error(request, _("This transfer has already been answered."))
        return redirect("cases:worklist")
    form = TransferDecisionForm(request.POST, transfer=transfer)
    if form.is_valid():
        accept = form.cleaned_data["decision"] == "accept"
        try:
            services.decide_transfer(
                actor=request.user, transfer=transfer, accept=accept, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            number = transfer.case.number
            if accept:
                messages.success(request, _("Case %(number)s accepted; it is now in your unit.") % {"number": number})
                return redirect("cases:detail", case_id=transfer.case_id)
            messages.success(request, _("Transfer of case %(number)s declined.") % {"number": number})
            return redirect("cases:worklist")
    return _render_worklist(request, decisions={transfer.pk: form}, status=400)
