"""Referrals to service providers and their outcome."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from haidang.cases import selectors, services
from haidang.cases.forms import ReferralForm, ReferralUpdateForm
from haidang.cases.models import ReferralStatus, ServiceType
from haidang.cases.permissions import require_view_cases
from haidang.cases.views._common import (
    Column,
    _agencies,
    _case_context,
    _case_or_404,
    _day,
    _editable_case,
    _label,
    _live_consents,
    _record_of,
    _save_form,
)


def _referral_form(user, case, data=None):
    return ReferralForm(data, agencies=_agencies(user), consents=_live_consents(case, "referral"))


COLUMNS = (
    Column(gettext_lazy("Sent")),
    Column(gettext_lazy("Service provider")),
    Column(gettext_lazy("Service")),
    Column(gettext_lazy("Reason")),
    Column(gettext_lazy("Status")),
    Column(gettext_lazy("Outcome")),
    Column(gettext_lazy("Follow up on")),
)


def _render_referrals(request, case, *, form=None, updates: dict | None = None, status: int = 200):
    user = request.user
    can_edit = selectors.can_edit_case(user, case)
    updates = updates or {}
    rows = []
    referrals = case.referrals.select_related("provider", "consent").order_by("-created_at")
    for referral in referrals:
        moves = sorted(services.REFERRAL_MOVES.get(referral.status, ()))
        update = None
        if can_edit and moves:
            update = updates.get(referral.pk) or ReferralUpdateForm(referral=referral, moves=moves)
        rows.append(
            {
                "referral": referral,
                "service": _label(ServiceType.choices, referral.service_type),
                "status": _label(ReferralStatus.choices, referral.status),
                "basis": _("Consent given %(day)s") % {"day": _day(referral.consent.given_on)}
                if referral.consent_id
                else referral.legal_basis,
                "update": update,
                "update_open": referral.pk in updates,
            }
        )
    if can_edit and form is None:
        form = _referral_form(user, case)
    context = {
        **_case_context(request, case, "referrals", can_edit=can_edit),
        "columns": COLUMNS,
        "rows": rows,
        "form": form,
        "has_consent": _live_consents(case, "referral").exists() if can_edit else False,
    }
    return render(request, "cases/referrals.html", context, status=status)


@require_http_methods(["GET", "POST"])
@require_view_cases
def referrals(request, case_id):
    if request.method == "GET":
        return _render_referrals(request, _case_or_404(request, case_id, "referral"))
    case = _editable_case(request, case_id, "referral")
    form = _referral_form(request.user, case, request.POST)
    saved = _save_form(
        request,
        form,
        lambda data: services.create_referral(actor=request.user, case=case, data=data),
        _("Referral sent."),
        "cases:referrals",
        case,
    )
    return saved or _render_referrals(request, case, form=form, status=400)


@require_POST
@require_view_cases
def referral_update(request, case_id, referral_id):
    case = _editable_case(request, case_id, "referral")
    referral = _record_of(case.referrals, referral_id)
    moves = sorted(services.REFERRAL_MOVES.get(referral.status, ()))
    form = ReferralUpdateForm(request.POST, referral=referral, moves=moves)

    def save(data):
        return services.update_referral(
            actor=request.user,
            referral=referral,
            status=data["status"],
            outcome=data["outcome"],
            follow_up_on=data["follow_up_on"],
        )

    saved = _save_form(request, form, save, _("Referral updated."), "cases:referrals", case)
    if saved:
        return saved
    if not moves:
        messages.error(
            request,
            _("This referral is %(status)s: it cannot change any more.") % {"status": referral.get_status_display()},
        )
        return redirect("cases:referrals", case_id=case.pk)
    return _render_referrals(request, case, updates={referral.pk: form}, status=400)
