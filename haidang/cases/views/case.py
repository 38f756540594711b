"""The case page: its facts, the person, the time limits, the timeline, and the steps of the workflow."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from haidang.cases import authority as law
from haidang.cases import selectors, services, support, timelimits, workflow
from haidang.cases.forms import DISCLOSURE_PURPOSE_LABELS, IDENTIFICATION_DOCUMENT_TYPES, ReturnForm, TransitionForm
from haidang.cases.models import (
    CaseStatus,
    DocumentType,
    Exploitation,
    IntakeChannel,
    LegalRegime,
    NationalityClass,
    Recruitment,
    ReferralStatus,
    Route,
    ServiceType,
    Sex,
)
from haidang.cases.views._common import (
    IMMEDIATE_KINDS,
    _apply_errors,
    _case_context,
    _country,
    _day,
    _label,
    _status_label,
)
from haidang.common.ethnicities import ethnicity_name

EVENT_KINDS = {
    "created": gettext_lazy("Recorded"),
    "transition": gettext_lazy("Step"),
    "updated": gettext_lazy("Details changed"),
    "consent_recorded": gettext_lazy("Consent recorded"),
    "consent_withdrawn": gettext_lazy("Consent withdrawn"),
    "referral_sent": gettext_lazy("Referral sent"),
    "referral_updated": gettext_lazy("Referral updated"),
    "transfer_requested": gettext_lazy("Transfer requested"),
    "transfer_accepted": gettext_lazy("Transfer accepted"),
    "transfer_declined": gettext_lazy("Transfer declined"),
    "visit_recorded": gettext_lazy("Follow-up visit"),
    "person_merged": gettext_lazy("Person records merged"),
    "break_glass": gettext_lazy("Opened outside the usual area (break-the-glass)"),
    "person_linked": gettext_lazy("Linked person recorded"),
    "link_updated": gettext_lazy("Linked person changed"),
    "protection_decided": gettext_lazy("Protection decided"),
    "protection_refused": gettext_lazy("Protection refused by the person"),
    "protection_ended": gettext_lazy("Protection ended"),
    "shelter_stay_started": gettext_lazy("Shelter stay started"),
    "shelter_stay_extended": gettext_lazy("Shelter stay extended"),
    "shelter_stay_ended": gettext_lazy("Shelter stay ended"),
    "reintegration_application_received": gettext_lazy("Reintegration application received"),
    "reintegration_application_decided": gettext_lazy("Reintegration application decided"),
    "attachment_added": gettext_lazy("File added"),
    "returned_to_vietnam": gettext_lazy("Returned to Vietnam"),
}


# Identifiers of the records an event is about: the records themselves are on the sub-pages.
HIDDEN_EVENT_KEYS = frozenset(
    {"consent", "referral", "transfer", "visit", "kept", "merged", "link", "protection", "stay", "application"}
    | {"attachment"}
)


def _data_label(key: str) -> str:
    labels = {
        "decision_date": _("Decision date"),
        "evidence_sources": _("Evidence relied on (Art. 32)"),
        "document_type": _("Confirming document"),
        "document_issuer": _("Issued by"),
        "document_number": _("Document number"),
        "document_date": _("Document date"),
        "closure_reasons": _("Reasons for closing"),
        "agency": _("By"),
        "decided_by": _("Decided by"),
        "border_gate": _("Border gate"),
        "late_reason": _("Why it was recorded late"),
        "intake_channel": _("Intake channel"),
        "fields": _("Fields changed"),
        "purpose": _("Purpose"),
        "provider": _("Service provider"),
        "service_type": _("Service"),
        "to_unit": _("Receiving unit"),
        "to_agency": _("Receiving agency"),
        "visit_date": _("Visit date"),
        "from": _("From"),
        "to": _("To"),
    }
    return str(labels.get(key, key.replace("_", " ")))


def _data_value(key: str, value) -> str:
    if key == "evidence_sources":
        return "; ".join(f"{code}) {workflow.EVIDENCE_SOURCES.get(code, '')}".strip() for code in value or [])
    if key == "closure_reasons":
        return "; ".join(str(workflow.CLOSURE_REASONS.get(code, code)) for code in value or [])
    if key == "document_type":
        return _label(IDENTIFICATION_DOCUMENT_TYPES, value)
    if key == "intake_channel":
        return _label(IntakeChannel.choices, value)
    if key == "purpose":
        return str(DISCLOSURE_PURPOSE_LABELS.get(value, value))
    if key == "service_type":
        return _label(ServiceType.choices, value)
    if key in ("from", "to"):
        return _label(ReferralStatus.choices, value)
    if key.endswith("_date"):
        return _day(value)
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def _timeline(case) -> list[dict]:
    """Every step by the day it happened, with when it was recorded (a late record shows both)."""
    rows = []
    for event in case.events.select_related("actor").order_by("event_date", "recorded_at", "id"):
        actor = event.actor
        recorded = timezone.localtime(event.recorded_at)
        rows.append(
            {
                "when": event.event_date,
                "recorded": recorded,
                "recorded_late": recorded.date() != event.event_date,
                "kind": str(EVENT_KINDS.get(event.kind, event.kind)),
                "who": (actor.full_name or actor.username) if actor is not None else "",
                "from": _status_label(event.from_status),
                "to": _status_label(event.to_status),
                "note": event.note,
                "data": [
                    (_data_label(key), _data_value(key, value))
                    for key, value in (event.data or {}).items()
                    if key not in HIDDEN_EVENT_KEYS
                ],
            }
        )
    return rows


def _found(case) -> str:
    if not case.found_abroad:
        return _("No")
    if case.found_country:
        return _("Yes, in %(country)s") % {"country": _country(case.found_country)}
    return _("Yes")


def _whereabouts(case) -> str:
    if not support.was_abroad(case):
        return _("In Vietnam")
    if case.returned_on is None:
        return _("Abroad (no return recorded)")
    gate = f", {case.return_border_gate}" if case.return_border_gate else ""
    return _("Returned to Vietnam on %(day)s%(gate)s") % {"day": _day(case.returned_on), "gate": gate}


def _facts(case) -> list[tuple[str, str]]:
    forms_of_exploitation = ", ".join(_label(Exploitation.choices, code) for code in case.exploitation_forms or [])
    facts = [
        (_("Case number"), case.number),
        (_("Status"), _status_label(case.status)),
        (_("Legal regime"), _label(LegalRegime.choices, case.legal_regime) + " (Art. 63)"),
        (_("Intake channel"), _label(IntakeChannel.choices, case.intake_channel)),
        (_("Reception date"), _day(case.reception_date)),
        (
            _("Department of Health notified"),
            timezone.localtime(case.notified_at).strftime("%d/%m/%Y") if case.notified_at else "",
        ),
        (_("Receiving agency"), case.agency.name),
        (_("Unit"), f"{case.unit.name} ({case.unit.code})"),
        (_("Found abroad"), _found(case)),
        (_("Where the person is"), _whereabouts(case)),
        (_("Forms of exploitation"), forms_of_exploitation),
        (_("Destination country"), _country(case.destination_country)),
        (_("Route"), _label(Route.choices, case.route)),
        (_("Recruitment method"), _label(Recruitment.choices, case.recruitment_method)),
        (_("Criminal proceeding number"), case.criminal_proceeding_number),
        (_("Assigned to"), str(case.assigned_to) if case.assigned_to_id else ""),
    ]
    return [(label, value or "—") for label, value in facts]


def _ethnicity(person) -> str:
    if person.ethnicity:
        return ethnicity_name(person.ethnicity)
    if person.ethnicity_legacy:
        return _("%(text)s (as first recorded; choose a group from the list)") % {"text": person.ethnicity_legacy}
    return ""


def _person_facts(case, show_identity: bool) -> list[tuple[str, str]]:
    person = case.person
    shown = selectors.person_view(person, show_identity=show_identity)
    if show_identity and person.birth_date is not None:
        birth = _day(person.birth_date)
    else:
        birth = str(person.birth_year) if person.birth_year else ""
    residence = person.residence_unit
    facts = [
        (_("Full name"), shown.full_name),
        (_("Other names"), shown.other_names),
        (_("Sex"), _label(Sex.choices, shown.sex)),
        (_("Date or year of birth") if show_identity else _("Year of birth"), birth),
        (_("Ethnicity"), _ethnicity(person)),
        (_("Nationality"), _label(NationalityClass.choices, shown.nationality_class)),
        (_("Country of nationality"), _country(person.nationality_country)),
        (_("Identity document"), _label(DocumentType.choices, person.document_type)),
        (_("Document number"), shown.document_number),
        (_("Place of residence"), f"{residence.name} ({residence.code})" if residence is not None else ""),
        (_("Address"), shown.address),
        (_("Contacts"), shown.contacts),
        (_("Languages"), person.languages),
    ]
    return [(label, value or "—") for label, value in facts]


def _time_limits(case) -> list[dict]:
    limits = []
    if case.status in IMMEDIATE_KINDS:
        deadline = timelimits.immediate_deadline(case.reception_date)
        limits.append(
            {
                "label": _("Receive the person immediately (Art. 27(1))")
                if case.status == CaseStatus.REPORTED
                else _("Notify the Department of Health immediately (Art. 27(1))"),
                "due": deadline.due,
                "overdue": deadline.overdue,
                "days_left": deadline.days_left,
            }
        )
    if case.status == CaseStatus.INITIAL_VERIFICATION and case.notified_at is not None:
        deadline = timelimits.initial_verification_deadline(case.notified_at)
        limits.append(
            {
                "label": _("Initial verification within %(days)s days of notification (Art. 27(2))")
                % {"days": timelimits.initial_verification_days()},
                "due": deadline.due,
                "overdue": deadline.overdue,
                "days_left": deadline.days_left,
            }
        )
    return limits


# After identification (and on the way home and through reintegration) the work beside the path.
AFTER_IDENTIFICATION = frozenset({CaseStatus.IDENTIFIED, CaseStatus.RETURNED_HOME, CaseStatus.REINTEGRATION})


def _what_next(user, case, can_edit: bool, memberships) -> list[dict]:
    """Consent → support → referral once the person is identified: each with whether something is
    recorded yet, the first one not yet done marked as the next, and a link to record it for those
    who may (they may change the case and act for an agency that handles cases: `authority.RECORD_DECISION`).
    """
    if case.status not in AFTER_IDENTIFICATION:
        return []
    may = can_edit and selectors.acting_for(user, case, law.RECORD_DECISION, memberships=memberships).allowed
    steps = [
        (
            "consent",
            _("Record the person's consent"),
            _("Consent to share information and to be referred (Art. 3(10))."),
        ),
        ("support", _("Give support"), _("The support the person is entitled to (Art. 37), with its eligibility.")),
        ("referrals", _("Refer to a service provider"), _("Health care, counselling, vocational training, jobs.")),
    ]
    done = {
        "consent": case.consents.exists(),
        "support": case.support_items.exists(),
        "referrals": case.referrals.exists(),
    }
    rows, next_found = [], False
    for name, label, help_text in steps:
        is_next = not done[name] and not next_found
        next_found = next_found or is_next
        rows.append(
            {
                "name": name,
                "label": label,
                "help": help_text,
                "done": done[name],
                "next": is_next,
                "url": reverse(f"cases:{name}", args=[case.pk]),
                "may": may,
            }
        )
    return rows


def _refusal(form: TransitionForm) -> list[str]:
    """Why a submitted step was not taken, for the alert at the top of the page."""
    reasons = [str(message) for message in form.non_field_errors()]
    for name in form.PLAIN_FIELDS:
        reasons.extend(str(message) for message in form[name].errors)
    if form.errors and not reasons:
        reasons.append(_("Some values are missing or not valid; see the form below."))
    return reasons


def _entered(form: TransitionForm) -> list[tuple[str, str]]:
    """What was typed into a step that is no longer offered, as text to copy (never validated)."""
    rows = []
    for field in form.visible_fields():
        value = field.value()
        if isinstance(value, list | tuple):
            choices = dict(getattr(field.field, "choices", ()))
            value = "; ".join(str(choices.get(item, item)) for item in value)
        elif value and getattr(field.field, "choices", None):
            value = str(dict(field.field.choices).get(value, value))
        if value:
            rows.append((str(field.label), str(value)))
    return rows


def _render_detail(
    request,
    case,
    *,
    submitted: TransitionForm | None = None,
    refusal: list[str] | None = None,
    stale: bool = False,
    status: int = 200,
    return_form: ReturnForm | None = None,
):
    """The case page. `submitted` is the step form that came back (shown in its place with what
    was entered, or as text when its step is no longer offered); `refusal` says why it was not taken."""
    user = request.user
    show_identity = selectors.can_see_identity(user, case)
    steps = []
    kept = []
    can_edit = selectors.can_edit_case(user, case)
    memberships = selectors.acting_memberships(user, case) if can_edit else []
    if can_edit:
        for step in workflow.transitions_from(case.status):
            # Only the steps the law gives to one of the user's agencies are offered.
            if not selectors.acting_for(user, case, step.authority, memberships=memberships).allowed:
                continue
            if submitted is not None and submitted.step_target == step.target:
                form = submitted
            else:
                form = TransitionForm(step=step, initial={"version": case.version, "target": step.target})
            steps.append({"step": step, "form": form, "open": form is submitted})
        if submitted is not None and not any(item["form"] is submitted for item in steps):
            kept = _entered(submitted)
    context = {
        **_case_context(request, case, "detail", can_edit=can_edit),
        "facts": _facts(case),
        "person_facts": _person_facts(case, show_identity),
        "show_identity": show_identity,
        "mask": selectors.MASK,
        "time_limits": _time_limits(case),
        "timeline": _timeline(case),
        "steps": steps,
        "what_next": _what_next(user, case, can_edit, memberships),
        "kept": kept,
        "stale": stale,
        "refusal": refusal or [],
        "return_form": _return_form(user, case, can_edit, return_form),
    }
    return render(request, "cases/detail.html", context, status=status)


def _return_form(user, case, can_edit: bool, form: ReturnForm | None) -> ReturnForm | None:
    """The return to Vietnam, offered while a person found abroad has none recorded."""
    if not can_edit or not support.is_abroad(case) or case.returned_on is not None:
        return None
    if not selectors.acting_for(user, case, law.RECEIVE).allowed:
        return None
    return form or ReturnForm(initial={"version": case.version, "returned_on": timezone.localdate()})


@require_GET
def detail(request, case_id):
    case = selectors.get_case_for_user(request.user, case_id)
    if case is None:
        raise Http404
    return _render_detail(request, case)


def _step_for(status: str, target: str) -> workflow.Transition | None:
    """The step from the case's status, else any step to that target (to keep what was entered)."""
    return workflow.find_transition(status, target) or next(
        (step for step in workflow.TRANSITIONS if step.target == target), None
    )


@require_POST
def transition(request, case_id):
    case = selectors.get_case_for_user(request.user, case_id, purpose="transition")
    if case is None:
        raise Http404
    if not selectors.can_edit_case(request.user, case):
        raise PermissionDenied
    target = (request.POST.get("target") or "").strip()
    offered = workflow.find_transition(case.status, target)
    form = TransitionForm(request.POST, step=_step_for(case.status, target), target=target)
    # A step not offered from this status is put to the service as it stands: it says why it
    # is refused, or that the case changed meanwhile (a stale version).
    checked = form if offered is not None else TransitionForm(request.POST, step=None, target=target)
    if not checked.is_valid():
        return _render_detail(request, case, submitted=form, refusal=_refusal(checked), status=400)
    try:
        services.transition_case(
            actor=request.user,
            case=case,
            target=target,
            version=checked.cleaned_data["version"],
            note=checked.cleaned_data["note"],
            data=checked.transition_data(),
            event_date=checked.cleaned_data.get("event_date"),
            late_reason=checked.cleaned_data.get("late_reason") or "",
        )
    except PermissionDenied as refused:
        # The law gives this step to another kind of agency: say which, keep what was typed.
        return _render_detail(request, case, submitted=form, refusal=[str(refused)], status=403)
    except services.StaleVersionError:
        # Show the case as it is now and keep what was entered, under the version now shown:
        # the user sees what changed before submitting again.
        case.refresh_from_db()
        data = request.POST.copy()
        data["version"] = str(case.version)
        kept = TransitionForm(data, step=_step_for(case.status, target), target=target)
        return _render_detail(request, case, submitted=kept, stale=True, status=409)
    except ValidationError as error:
        _apply_errors(checked, error, visible=checked.visible_names)
        return _render_detail(request, case, submitted=form, refusal=_refusal(checked), status=400)
    messages.success(request, _("Done: %(step)s.") % {"step": offered.label if offered is not None else target})
    return redirect("cases:detail", case_id=case.pk)


@require_POST
def record_return(request, case_id):
    """The person found abroad is back in Vietnam: the day and the border gate."""
    case = selectors.get_case_for_user(request.user, case_id, purpose="return")
    if case is None:
        raise Http404
    if not selectors.can_edit_case(request.user, case):
        raise PermissionDenied
    form = ReturnForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, case, return_form=form, status=400)
    try:
        services.record_return(
            actor=request.user,
            case=case,
            version=form.cleaned_data["version"],
            returned_on=form.cleaned_data["returned_on"],
            border_gate=form.cleaned_data["border_gate"],
            late_reason=form.cleaned_data.get("late_reason") or "",
        )
    except services.StaleVersionError:
        case.refresh_from_db()
        return _render_detail(request, case, stale=True, status=409)
    except PermissionDenied as refused:
        return _render_detail(request, case, refusal=[str(refused)], status=403)
    except ValidationError as error:
        _apply_errors(form, error)
        return _render_detail(request, case, return_form=form, status=400)
    messages.success(request, _("The return to Vietnam is recorded."))
    return redirect("cases:detail", case_id=case.pk)
