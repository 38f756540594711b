"""Consent to share the person's information, its withdrawal, and the disclosures made."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from haidang.cases import disclosures, selectors, services
from haidang.cases.forms import CONSENT_METHOD_LABELS, DISCLOSURE_PURPOSE_LABELS, ConsentForm, WithdrawConsentForm
from haidang.cases.models import ConsentGiver
from haidang.cases.permissions import require_view_cases
from haidang.cases.views._common import (
    Column,
    _agencies,
    _case_context,
    _case_or_404,
    _day,
    _editable_case,
    _label,
    _record_of,
    _save_form,
)

COLUMNS = (
    Column(gettext_lazy("Consent to")),
    Column(gettext_lazy("Recipient")),
    Column(gettext_lazy("Given by")),
    Column(gettext_lazy("Given on")),
    Column(gettext_lazy("How")),
    Column(gettext_lazy("State")),
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
        if consent.given_by in (ConsentGiver.REPRESENTATIVE, ConsentGiver.BOTH) and consent.representative_name:
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
    if can_edit and form is None:
        form = ConsentForm(agencies=_agencies(user), initial={"given_on": today})
    context = {
        **_case_context(request, case, "consent", can_edit=can_edit),
        "columns": COLUMNS,
        "rows": rows,
        "form": form,
        "disclosures": [
            {
                "when": item.when,
                "kind": DISCLOSURE_PURPOSE_LABELS.get(item.kind, item.kind),
                "recipient": item.recipient.name if item.recipient is not None else "—",
                "basis": _("Consent given %(day)s") % {"day": _day(item.consent.given_on)}
                if item.consent is not None
                else item.legal_basis,
                "who": item.disclosed_by.full_name or item.disclosed_by.username,
            }
            for item in disclosures.history(case)
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
    saved = _save_form(
        request,
        form,
        lambda data: services.record_consent(actor=request.user, case=case, data=data),
        _("Consent recorded."),
        "cases:consent",
        case,
    )
    return saved or _render_consent(request, case, form=form, status=400)


@require_POST
@require_view_cases
def consent_withdraw(request, case_id, consent_id):
    case = _editable_case(request, case_id, "consent")
    consent = _record_of(case.consents, consent_id)
    form = WithdrawConsentForm(request.POST, consent=consent, auto_id=f"id_withdraw-{consent.pk}_%s")
    saved = _save_form(
        request,
        form,
        lambda data: services.withdraw_consent(actor=request.user, consent=consent, withdrawn_on=data["withdrawn_on"]),
        _("Consent withdrawn; it no longer covers any disclosure."),
        "cases:consent",
        case,
    )
    if saved:
        return saved
    if consent.withdrawn_on is not None:
        messages.error(request, _("This consent has already been withdrawn."))
        return redirect("cases:consent", case_id=case.pk)
    return _render_consent(request, case, withdrawals={consent.pk: form}, status=400)
