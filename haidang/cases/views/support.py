"""Support: eligibility under Art. 37, the support given, extension decisions, the rates in force."""

from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from haidang.cases import eligibility, selectors, support
from haidang.cases.eligibility_text import say
from haidang.cases.forms import RATE_UNIT_LABELS, SupportExtensionForm, SupportItemForm
from haidang.cases.models import LegalRegime, RateTable
from haidang.cases.permissions import require_view_cases
from haidang.cases.views._common import (
    _agencies,
    _amount,
    _case_context,
    _case_or_404,
    _deciders,
    _editable_case,
    _label,
    _regime_choices,
    _regime_name,
    _save_form,
)

OUTCOME_LABELS = {
    eligibility.Outcome.GRANTED: gettext_lazy("Granted"),
    eligibility.Outcome.DISCRETIONARY: gettext_lazy("Case by case"),
    eligibility.Outcome.REFUSED: gettext_lazy("Not available"),
}


def _beneficiary_choices(case, persons, show_identity: bool) -> list[tuple[str, str]]:
    choices = []
    for person in persons:
        if person.pk == case.person_id:
            label = _("The person")
        else:
            label = _("Accompanying child")
            if person.birth_year:
                label = f"{label} ({person.birth_year})"
        if show_identity and person.full_name:
            label = f"{label}: {person.full_name}"
        choices.append((str(person.pk), label))
    return choices


def _eligibility(case, persons, labels: dict) -> list[dict]:
    """Each beneficiary's assessment today: the law that applies and every regime with its article."""
    tables = []
    for person in persons:
        assessment = support.assess_case(case, person)
        tables.append(
            {
                "beneficiary": labels[str(person.pk)],
                "legal_regime": _label(LegalRegime.choices, str(assessment.legal_regime)),
                "legal_regime_reason": say(assessment.legal_regime_reason),
                "category": say(assessment.category),
                "notes": [say(note) for note in assessment.notes],
                "rows": [
                    {
                        "regime": _regime_name(decision.regime.value),
                        "outcome": str(OUTCOME_LABELS.get(decision.outcome, decision.outcome)),
                        "outcome_key": str(decision.outcome),
                        "article": say(decision.article),
                        "reason": say(decision.reason),
                        "conditions": [say(condition) for condition in decision.conditions],
                    }
                    for decision in assessment.decisions
                ],
            }
        )
    return tables


def _rates_in_force(case):
    today = timezone.localdate()
    return (
        RateTable.objects.filter(province_id=case.province_id, valid_from__lte=today)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .order_by("regime", "item")
    )


def _support_forms(request, case, labels, *, item_form=None, extension_form=None, can_edit: bool):
    if not can_edit:
        return None, None
    regimes = _regime_choices()
    item_form = item_form or SupportItemForm(
        beneficiaries=labels.items(),
        regimes=regimes,
        agencies=_agencies(request.user),
        initial={"start_date": timezone.localdate(), "beneficiary": str(case.person_id)},
    )
    extension_form = extension_form or SupportExtensionForm(
        regimes=regimes, deciders=_deciders(request.user, "support_extension")
    )
    return item_form, extension_form


def _render_support(request, case, *, item_form=None, extension_form=None, status: int = 200):
    user = request.user
    can_edit = selectors.can_edit_case(user, case)
    show_identity = selectors.can_see_identity(user, case)
    persons = support.beneficiaries(case)
    labels = dict(_beneficiary_choices(case, persons, show_identity))
    item_form, extension_form = _support_forms(
        request, case, labels, item_form=item_form, extension_form=extension_form, can_edit=can_edit
    )
    items = list(case.support_items.select_related("provider").order_by("start_date", "recorded_at"))
    totals: dict[str, dict] = {}
    for item in items:
        entry = totals.setdefault(item.regime, {"regime": _regime_name(item.regime), "total": 0})
        entry["total"] += item.total
    rates = list(_rates_in_force(case))
    context = {
        **_case_context(request, case, "support", can_edit=can_edit),
        "eligibility": _eligibility(case, persons, labels),
        "items": [
            {
                "start": item.start_date,
                "end": item.end_date,
                "beneficiary": labels.get(str(item.beneficiary_id), "—"),
                "regime": _regime_name(item.regime),
                "item": item.item,
                "provider": item.provider.name,
                "quantity": item.quantity,
                "unit_amount": _amount(item.unit_amount),
                "total": _amount(item.total),
                "decision_number": item.decision_number,
            }
            for item in items
        ],
        "totals": [{**entry, "total": _amount(entry["total"])} for entry in totals.values()],
        "grand_total": _amount(sum(item.total for item in items)),
        "extensions": [
            {
                "regime": _regime_name(extension.regime),
                "extra_units": extension.extra_units,
                "decision_number": extension.decision_number,
                "decided_on": extension.decided_on,
                "decided_by": extension.decided_by_label,
            }
            for extension in case.support_extensions.order_by("decided_on", "recorded_at")
        ],
        "rates": [
            {
                "regime": _regime_name(rate.regime),
                "item": rate.item,
                "per": str(RATE_UNIT_LABELS.get(rate.unit_label, rate.unit_label)),
                "amount": _amount(rate.amount),
                "max_units": rate.max_units,
                "valid_from": rate.valid_from,
            }
            for rate in rates
        ],
        "rate_items": sorted({rate.item for rate in rates}),
        "province": case.province,
        "item_form": item_form,
        "extension_form": extension_form,
    }
    return render(request, "cases/support.html", context, status=status)


@require_http_methods(["GET", "POST"])
@require_view_cases
def support_page(request, case_id):
    if request.method == "GET":
        return _render_support(request, _case_or_404(request, case_id, "support"))
    case = _editable_case(request, case_id, "support")
    persons = {str(person.pk): person for person in support.beneficiaries(case)}
    labels = dict(_beneficiary_choices(case, persons.values(), selectors.can_see_identity(request.user, case)))
    form = SupportItemForm(
        request.POST, beneficiaries=labels.items(), regimes=_regime_choices(), agencies=_agencies(request.user)
    )

    def save(data):
        return support.record_support_item(
            actor=request.user, case=case, data={**data, "beneficiary": persons[data["beneficiary"]]}
        )

    def message(item):
        return _("Support recorded: %(quantity)s × %(amount)s = %(total)s VND.") % {
            "quantity": item.quantity,
            "amount": _amount(item.unit_amount),
            "total": _amount(item.total),
        }

    saved = _save_form(request, form, save, message, "cases:support", case)
    return saved or _render_support(request, case, item_form=form, status=400)


@require_POST
@require_view_cases
def support_extension(request, case_id):
    case = _editable_case(request, case_id, "support")
    form = SupportExtensionForm(
        request.POST, regimes=_regime_choices(), deciders=_deciders(request.user, "support_extension")
    )
    saved = _save_form(
        request,
        form,
        lambda data: support.record_extension(actor=request.user, case=case, data=data),
        _("Extension decision recorded."),
        "cases:support",
        case,
    )
    return saved or _render_support(request, case, extension_form=form, status=400)
