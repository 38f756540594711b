"""Protection decisions, their refusal by the person (with a written commitment) and their end."""

from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from haidang.cases import protection, selectors
from haidang.cases.forms import ProtectionDecisionForm, ProtectionEndForm, ProtectionRefusalForm
from haidang.cases.models import AttachmentKind, ProtectionMeasure, ProtectionStatus, RiskLevel
from haidang.cases.permissions import require_view_cases
from haidang.cases.views._common import (
    Column,
    _already_finished,
    _case_context,
    _case_or_404,
    _case_persons,
    _chosen_person,
    _deciders,
    _editable_case,
    _label,
    _person_choices,
    _record_of,
    _role_label,
    _save_form,
)


def _commitment_choices(case) -> list[tuple[str, str]]:
    """The case's signed commitments, by date and size (never the file name)."""
    return [
        (str(item.pk), f"{timezone.localtime(item.uploaded_at):%d/%m/%Y %H:%M} · {filesizeformat(item.size)}")
        for item in selectors.attachments_for(case).filter(kind=AttachmentKind.PROTECTION_COMMITMENT)
    ]


def _decision_form(request, case, persons, show_identity, data=None):
    return ProtectionDecisionForm(
        data,
        subjects=_person_choices(persons, show_identity),
        deciders=_deciders(request.user, "protection"),
        initial={"decided_on": timezone.localdate(), "subject": str(case.person_id)},
    )


COLUMNS = (
    Column(gettext_lazy("Decided on")),
    Column(gettext_lazy("Protected person")),
    Column(gettext_lazy("Risk")),
    Column(gettext_lazy("Measures")),
    Column(gettext_lazy("Decided by")),
    Column(gettext_lazy("Status")),
)


def _render_protection(
    request, case, *, form=None, refusals: dict | None = None, endings: dict | None = None, status: int = 200
):
    user = request.user
    can_edit = selectors.can_edit_case(user, case)
    show_identity = selectors.can_see_identity(user, case)
    refusals, endings = refusals or {}, endings or {}
    commitments = _commitment_choices(case) if can_edit else []
    today = timezone.localdate()
    measures = dict(ProtectionMeasure.choices)
    rows = []
    for view in selectors.protection_decisions_for(user, case):
        decision = view.decision
        active = decision.status == ProtectionStatus.ACTIVE
        refuse = end = None
        if can_edit and active:
            refuse = refusals.get(decision.pk) or ProtectionRefusalForm(
                decision=decision, commitments=commitments, initial={"refused_on": today}
            )
            end = endings.get(decision.pk) or ProtectionEndForm(decision=decision, initial={"ended_on": today})
        rows.append(
            {
                "view": view,
                "decision": decision,
                "subject": _role_label(view.subject),
                "risk_level": _label(RiskLevel.choices, decision.risk_level),
                "measures": [str(measures.get(code, code)) for code in decision.measures],
                "status": _label(ProtectionStatus.choices, decision.status),
                "refuse": refuse,
                "refuse_open": decision.pk in refusals,
                "end": end,
                "end_open": decision.pk in endings,
            }
        )
    if can_edit and form is None:
        form = _decision_form(request, case, _case_persons(case), show_identity)
    context = {
        **_case_context(request, case, "protection", can_edit=can_edit),
        "columns": COLUMNS,
        "rows": rows,
        "form": form,
        "show_identity": show_identity,
    }
    return render(request, "cases/protection.html", context, status=status)


@require_http_methods(["GET", "POST"])
@require_view_cases
def protection_page(request, case_id):
    if request.method == "GET":
        return _render_protection(request, _case_or_404(request, case_id, "protection"))
    case = _editable_case(request, case_id, "protection")
    persons = _case_persons(case)
    form = _decision_form(request, case, persons, selectors.can_see_identity(request.user, case), request.POST)
    saved = _save_form(
        request,
        form,
        lambda data: protection.decide_protection(
            actor=request.user, case=case, data={**data, "subject": _chosen_person(persons, data["subject"])}
        ),
        _("Protection decision recorded."),
        "cases:protection",
        case,
    )
    return saved or _render_protection(request, case, form=form, status=400)


@require_POST
@require_view_cases
def protection_refuse(request, case_id, decision_id):
    case = _editable_case(request, case_id, "protection")
    decision = _record_of(case.protection_decisions, decision_id)
    if decision.status != ProtectionStatus.ACTIVE:
        return _already_finished(
            request, case, _("This protection decision is no longer in force."), "cases:protection"
        )
    form = ProtectionRefusalForm(request.POST, decision=decision, commitments=_commitment_choices(case))

    def save(data):
        chosen = data.get("commitment_file")
        commitment = selectors.attachments_for(case).filter(pk=chosen).first() if chosen else None
        return protection.record_refusal(
            actor=request.user, decision=decision, data={**data, "commitment_file": commitment}
        )

    saved = _save_form(request, form, save, _("Refusal of protection recorded."), "cases:protection", case)
    return saved or _render_protection(request, case, refusals={decision.pk: form}, status=400)


@require_POST
@require_view_cases
def protection_end(request, case_id, decision_id):
    case = _editable_case(request, case_id, "protection")
    decision = _record_of(case.protection_decisions, decision_id)
    if decision.status != ProtectionStatus.ACTIVE:
        return _already_finished(
            request, case, _("This protection decision is no longer in force."), "cases:protection"
        )
    form = ProtectionEndForm(request.POST, decision=decision)
    saved = _save_form(
        request,
        form,
        lambda data: protection.end_protection(actor=request.user, decision=decision, data=data),
        _("Protection ended."),
        "cases:protection",
        case,
    )
    return saved or _render_protection(request, case, endings={decision.pk: form}, status=400)
