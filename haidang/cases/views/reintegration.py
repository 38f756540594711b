"""Reintegration support applications (Form 07) and their decision within the time limit."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from haidang.cases import protection, selectors, timelimits
from haidang.cases.forms import ApplicationDecisionForm, ApplicationForm
from haidang.cases.models import ApplicantKind, ApplicationStatus, ReintegrationRegime, SubmissionChannel
from haidang.cases.permissions import require_view_cases
from haidang.cases.views._common import (
    _already_finished,
    _apply_errors,
    _case_context,
    _case_or_404,
    _case_persons,
    _chosen_person,
    _day,
    _editable_case,
    _label,
    _person_choices,
    _role_label,
    _saved,
)


def _application_form(request, case, persons, show_identity, data=None):
    return ApplicationForm(
        data,
        beneficiaries=_person_choices(persons, show_identity, children_only=True),
        initial={"received_on": timezone.localdate(), "beneficiary": str(case.person_id)},
    )


def _render_reintegration(request, case, *, form=None, decisions: dict | None = None, status: int = 200):
    user = request.user
    can_edit = selectors.can_edit_case(user, case)
    show_identity = selectors.can_see_identity(user, case)
    decisions = decisions or {}
    regimes = dict(ReintegrationRegime.choices)
    today = timezone.localdate()
    rows = []
    for view in protection.applications_for(user, case):
        application = view.application
        waiting = application.status == ApplicationStatus.RECEIVED
        decide = None
        if can_edit and waiting:
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
    if form.is_valid():
        data = {**form.cleaned_data, "beneficiary": _chosen_person(persons, form.cleaned_data["beneficiary"])}
        try:
            application = protection.receive_application(actor=request.user, case=case, data=data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            due = protection.application_deadline(application).due
            message = _("Application recorded; the decision is due by %(day)s.") % {"day": _day(due)}
            return _saved(request, message, "cases:reintegration", case)
    return _render_reintegration(request, case, form=form, status=400)


@require_POST
@require_view_cases
def reintegration_decide(request, case_id, application_id):
    case = _editable_case(request, case_id, "reintegration")
    application = case.reintegration_applications.filter(pk=application_id).first()
    if application is None:
        raise Http404
    if application.status != ApplicationStatus.RECEIVED:
        return _already_finished(request, case, _("This application has already been decided."), "cases:reintegration")
    form = ApplicationDecisionForm(request.POST, application=application)
    if form.is_valid():
        try:
            protection.decide_application(actor=request.user, application=application, data=form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return _saved(request, _("Decision on the application recorded."), "cases:reintegration", case)
    return _render_reintegration(request, case, decisions={application.pk: form}, status=400)
