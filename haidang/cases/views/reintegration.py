"""Reintegration support applications (Form 07) and their decision within the time limit."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from haidang.cases import authority as law
from haidang.cases import protection, selectors, timelimits
from haidang.cases.forms import ApplicationDecisionForm, ApplicationForm
from haidang.cases.models import ApplicantKind, ApplicationStatus, ReintegrationRegime, SubmissionChannel
from haidang.cases.permissions import require_view_cases
from haidang.cases.views._common import (
    Column,
    _already_finished,
    _case_context,
    _case_or_404,
    _case_persons,
    _chosen_person,
    _day,
    _editable_case,
    _label,
    _person_choices,
    _record_of,
    _role_label,
    _save_form,
)


def _application_form(request, case, persons, show_identity, data=None):
    return ApplicationForm(
        data,
        beneficiaries=_person_choices(persons, show_identity, children_only=True),
        initial={"received_on": timezone.localdate(), "beneficiary": str(case.person_id)},
    )


COLUMNS = (
    Column(gettext_lazy("Received")),
    Column(gettext_lazy("Victim")),
    Column(gettext_lazy("Filed by")),
    Column(gettext_lazy("Support requested")),
    Column(gettext_lazy("Decision due")),
    Column(gettext_lazy("Status")),
)


def _render_reintegration(request, case, *, form=None, decisions: dict | None = None, status: int = 200):
    user = request.user
    can_edit = selectors.can_edit_case(user, case)
    # Only the Department of Health decides (Decree 162 Art. 24): the form is offered to it alone.
    can_decide = can_edit and selectors.acting_for(user, case, law.DECIDE_FORM_07).allowed
    show_identity = selectors.can_see_identity(user, case)
    decisions = decisions or {}
    regimes = dict(ReintegrationRegime.choices)
    today = timezone.localdate()
    rows = []
    for view in selectors.applications_for(user, case):
        application = view.application
        waiting = application.status == ApplicationStatus.RECEIVED
        decide = None
        if can_decide and waiting:
            decide = decisions.get(application.pk) or ApplicationDecisionForm(
                application=application, initial={"decided_on": today}
            )
        rows.append(
            {
                "view": view,
                "application": application,
                "beneficiary": _role_label(view.beneficiary),
                "applicant": _label(ApplicantKind.choices, application.applicant),
                "submitted_via": _label(SubmissionChannel.choices, application.submitted_via),
                "regimes": [str(regimes.get(code, code)) for code in application.regimes],
                "approved": [str(regimes.get(code, code)) for code in application.approved_regimes],
                "status": _label(ApplicationStatus.choices, application.status),
                "deadline": view.deadline,
                "decide": decide,
                "decide_open": application.pk in decisions,
            }
        )
    if can_edit and form is None:
        form = _application_form(request, case, _case_persons(case), show_identity)
    context = {
        **_case_context(request, case, "reintegration", can_edit=can_edit),
        "columns": COLUMNS,
        "rows": rows,
        "form": form,
        "working_days": timelimits.reintegration_decision_working_days(),
    }
    return render(request, "cases/reintegration.html", context, status=status)


@require_http_methods(["GET", "POST"])
@require_view_cases
def reintegration(request, case_id):
    if request.method == "GET":
        return _render_reintegration(request, _case_or_404(request, case_id, "reintegration"))
    case = _editable_case(request, case_id, "reintegration")
    persons = _case_persons(case)
    form = _application_form(request, case, persons, selectors.can_see_identity(request.user, case), request.POST)

    def save(data):
        beneficiary = _chosen_person(persons, data["beneficiary"])
        return protection.receive_application(actor=request.user, case=case, data={**data, "beneficiary": beneficiary})

    def message(application):
        due = selectors.application_deadline(application).due
        return _("Application recorded; the decision is due by %(day)s.") % {"day": _day(due)}

    saved = _save_form(request, form, save, message, "cases:reintegration", case)
    return saved or _render_reintegration(request, case, form=form, status=400)


@require_POST
@require_view_cases
def reintegration_decide(request, case_id, application_id):
    case = _editable_case(request, case_id, "reintegration")
    application = _record_of(case.reintegration_applications, application_id)
    acting = selectors.acting_for(request.user, case, law.DECIDE_FORM_07)
    if not acting.allowed:
        raise PermissionDenied(acting.reason)
    if application.status != ApplicationStatus.RECEIVED:
        return _already_finished(request, case, _("This application has already been decided."), "cases:reintegration")
    form = ApplicationDecisionForm(request.POST, application=application)
    saved = _save_form(
        request,
        form,
        lambda data: protection.decide_application(actor=request.user, application=application, data=data),
        _("Decision on the application recorded."),
        "cases:reintegration",
        case,
    )
    return saved or _render_reintegration(request, case, decisions={application.pk: form}, status=400)
