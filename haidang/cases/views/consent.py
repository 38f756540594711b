"""Consent to share the person's information, its withdrawal, and the disclosures made."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from haidang.cases import selectors, services
from haidang.cases.forms import CONSENT_METHOD_LABELS, DISCLOSURE_PURPOSE_LABELS, ConsentForm, WithdrawConsentForm
from haidang.cases.models import ConsentGiver
from haidang.cases.permissions import require_view_cases
from haidang.cases.views._common import (
    _agencies,
    _apply_errors,
    _case_context,
    _case_or_404,
    _day,
    _editable_case,
    _label,
    _saved,
)


def _render_consent(request, case, *, form=None, withdrawals: dict | None = None, status: int = 200):
    user = request.user
    can_edit = selectors.can_edit_case(user, case)
    show_identity = selectors.can_see_identity(user, case)
    withdrawals = withdrawals or {}
    today = timezone.localdate()
    rows = []
    for consent in case.consents.select_related("recipient").order_by("-given_on", "-recorded_at"):
        live = consent.withdrawn_on is None or consent.withdrawn_on > today
        giver = _label(ConsentGiver.choices, consent.given_by)
        if consent.given_by == ConsentGiver.REPRESENTATIVE and consent.representative_name:
            giver = f"{giver}: {consent.representative_name if show_identity else selectors.MASK}"
        withdraw = None
        if can_edit and consent.withdrawn_on is None:
            withdraw = withdrawals.get(consent.pk) or WithdrawConsentForm(
                consent=consent, auto_id=f"id_withdraw-{consent.pk}_%s", initial={"withdrawn_on": today}
            )
        rows.append(
            {
                "consent": consent,
                "purpose": DISCLOSURE_PURPOSE_LABELS.get(consent.purpose, consent.purpose),
                "recipient": consent.recipient.name if consent.recipient_id else _("Any recipient for this purpose"),
                "giver": giver,
                "method": CONSENT_METHOD_LABELS.get(consent.method, consent.method),
                "live": live,
                "withdraw": withdraw,
                "withdraw_open": consent.pk in withdrawals,
            }
        )
    disclosures = case.disclosures.select_related("recipient", "disclosed_by").order_by("-disclosed_at")
    if can_edit and form is None:
        form = ConsentForm(agencies=_agencies(user), initial={"given_on": today})
    context = {
        **_case_context(request, case, "consent", can_edit=can_edit),
        "rows": rows,
        "form": form,
        "disclosures": [
            {
                "when": item.disclosed_at,
                "kind": DISCLOSURE_PURPOSE_LABELS.get(item.kind, item.kind),
                "recipient": item.recipient.name if item.recipient_id else "—",
                "basis": _("Consent given %(day)s") % {"day": _day(item.consent.given_on)}
                if item.consent_id
                else item.legal_basis,
                "who": item.disclosed_by.full_name or item.disclosed_by.username,
            }
            for item in disclosures.select_related("consent")
        ],
    }
    return render(request, "cases/consent.html", context, status=status)


@require_http_methods(["GET", "POST"])
@require_view_cases
def consent(request, case_id):
    if request.method == "GET":
        return _render_consent(request, _case_or_404(request, case_id, "consent"))
    case = _editable_case(request, case_id, "consent")
    form = ConsentForm(request.POST, agencies=_agencies(request.user))
    if form.is_valid():
        try:
            services.record_consent(actor=request.user, case=case, data=form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return _saved(request, _("Consent recorded."), "cases:consent", case)
    return _render_consent(request, case, form=form, status=400)


@require_POST
@require_view_cases
def consent_withdraw(request, case_id, consent_id):
    case = _editable_case(request, case_id, "consent")
    consent = case.consents.filter(pk=consent_id).first()
    if consent is None:
        raise Http404
    form = WithdrawConsentForm(request.POST, consent=consent, auto_id=f"id_withdraw-{consent.pk}_%s")
    if form.is_valid():
        try:
            services.withdraw_consent(
                actor=request.user, consent=consent, withdrawn_on=form.cleaned_data["withdrawn_on"]
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return _saved(request, _("Consent withdrawn; it no longer covers any disclosure."), "cases:consent", case)
    if consent.withdrawn_on is not None:
        messages.error(request, _("This consent has already been withdrawn."))
        return redirect("cases:consent", case_id=case.pk)
    return _render_consent(request, case, withdrawals={consent.pk: form}, status=400)
