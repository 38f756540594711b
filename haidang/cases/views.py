"""Pages for victim cases: the worklist, the intake, the case page and its transitions, and the
case's sub-pages: consent, support (eligibility, items, extensions), referrals, transfer, follow-up
visits; the transfers waiting for the receiving unit's answer; the provincial rate tables.

Every case comes from the selectors (scope in one place; a case outside it is a 404 like a missing
one) and every write goes through the services, whose ValidationError is put back on the field it
names. Lists show no identifying values; the case page shows them only to roles that need them,
and reading it is audited by `selectors.get_case_for_user`.
"""

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.http import content_disposition_header
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from haidang.access.models import Agency
from haidang.access.permissions import require_capability
from haidang.access.roles import Capability
from haidang.access.scope import scope_for
from haidang.access.selectors import agencies_visible_to, memberships_of
from haidang.cases import eligibility, protection, selectors, services, support, timelimits, workflow
from haidang.cases.forms import (
    CONSENT_METHOD_LABELS,
    COUNTRY_SUGGESTIONS,
    DISCLOSURE_PURPOSE_LABELS,
    IDENTIFICATION_DOCUMENT_TYPES,
    RATE_UNIT_LABELS,
    ApplicationDecisionForm,
    ApplicationForm,
    AttachmentForm,
    BreakGlassForm,
    CaseFilterForm,
    ConsentForm,
    IntakeForm,
    LinkPersonForm,
    ProtectionDecisionForm,
    ProtectionEndForm,
    ProtectionRefusalForm,
    RateFilterForm,
    RateForm,
    ReferralForm,
    ReferralUpdateForm,
    StayEndForm,
    StayExtendForm,
    StayStartForm,
    SupportExtensionForm,
    SupportItemForm,
    TransferDecisionForm,
    TransferForm,
    TransitionForm,
    VisitForm,
    WithdrawConsentForm,
)
from haidang.cases.models import (
    ApplicantKind,
    ApplicationStatus,
    AttachmentKind,
    CaseStatus,
    ConsentGiver,
    DocumentType,
    Exploitation,
    IntakeChannel,
    LegalRegime,
    NationalityClass,
    ProtectionMeasure,
    ProtectionStatus,
    RateTable,
    Recruitment,
    ReferralStatus,
    ReintegrationRegime,
    Relationship,
    RiskLevel,
    Route,
    ServiceType,
    Sex,
    SubmissionChannel,
    Transfer,
    TransferStatus,
)
from haidang.cases.permissions import can_record_intake, intake_memberships, require_edit_cases, require_view_cases
from haidang.places.errors import UnitLookupError
from haidang.places.models import AdministrativeUnit, UnitLevel
from haidang.places.selectors import resolve_unit

PAGE_SIZE = 50
WORK_PAGE_SIZE = 50
# A datalist of unit codes helps typing; past this many units only the provinces are offered.
UNIT_OPTIONS_LIMIT = 600
# Steps the law wants taken at once (Art. 27(1)): their due date is the reception date.
IMMEDIATE_KINDS = frozenset({CaseStatus.REPORTED, CaseStatus.RECEIVED})


# --- Helpers ------------------------------------------------------------------------------------


def _apply_errors(form, error: ValidationError, *, visible: set[str] | None = None) -> None:
    """Put a service's errors on the fields they name (hidden or unknown fields: on the form)."""
    names = visible if visible is not None else set(form.fields)
    if hasattr(error, "error_dict"):
        for field, field_messages in error.message_dict.items():
            form.add_error(field if field in names else None, field_messages)
    else:
        form.add_error(None, error.messages)


def _label(choices, value) -> str:
    return str(dict(choices).get(value, value)) if value else ""


def _status_label(value: str) -> str:
    return _label(CaseStatus.choices, value)


def _country(code: str) -> str:
    if not code:
        return ""
    name = COUNTRY_SUGGESTIONS.get(code)
    return f"{name} ({code})" if name else code


def _day(value) -> str:
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, str):
        try:
            return date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return value
    return "" if value is None else str(value)


def _work_label(kind: str) -> str:
    if kind == "initial_verification":
        return _("Initial verification (Art. 27(2)): identify, continue verification or decide")
    steps = workflow.transitions_from(kind)
    return str(steps[0].label) if steps else _status_label(kind)


# --- Worklist -----------------------------------------------------------------------------------


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
        "overdue_count": sum(1 for item in items if item.overdue),
        "filters": filters,
        "page": page,
        "can_record": can_record_intake(user),
        "incoming": incoming,
        "applications": [
            {"application": application, "deadline": deadline}
            for application, deadline in protection.applications_waiting_for(user)[:WORK_PAGE_SIZE]
        ],
    }
    return render(request, "cases/worklist.html", context, status=status)


# --- Intake -------------------------------------------------------------------------------------


def _unit_options(user) -> list[tuple[str, str]]:
    """Current units where the user may record cases, as (code, name), for the unit code datalist."""
    paths = scope_for(user).paths_for(Capability.EDIT_CASES)
    if not paths:
        return []
    inside = Q()
    for path in paths:
        inside |= Q(path__startswith=path)
    current = AdministrativeUnit.objects.filter(inside, valid_to__isnull=True, level__gte=UnitLevel.PROVINCE)
    rows = list(current.order_by("level", "sort_key").values_list("code", "name")[: UNIT_OPTIONS_LIMIT + 1])
    if len(rows) > UNIT_OPTIONS_LIMIT:
        rows = list(current.filter(level=UnitLevel.PROVINCE).order_by("sort_key").values_list("code", "name"))
    return rows


def _intake_initial(user) -> dict:
    initial = {"reception_date": timezone.localdate()}
    usable = intake_memberships(memberships_of(user))
    if usable:
        initial["agency"] = usable[0].agency_id
        initial["unit"] = usable[0].unit.code
    return initial


@require_http_methods(["GET", "POST"])
@require_edit_cases
def intake(request):
    form = IntakeForm(
        request.POST or None, agencies=agencies_visible_to(request.user), initial=_intake_initial(request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            case = services.create_case(actor=request.user, person_data=form.person_data(), case_data=form.case_data())
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Case %(number)s recorded.") % {"number": case.number})
            return redirect("cases:detail", case_id=case.pk)
    context = {
        "form": form,
        "countries": COUNTRY_SUGGESTIONS.items(),
        "unit_options": _unit_options(request.user),
    }
    return render(request, "cases/intake.html", context)


# --- The case page ------------------------------------------------------------------------------

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
    rows = []
    for event in case.events.select_related("actor").order_by("occurred_at", "id"):
        actor = event.actor
        rows.append(
            {
                "when": event.occurred_at,
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


def _facts(case) -> list[tuple[str, str]]:
    forms_of_exploitation = ", ".join(_label(Exploitation.choices, code) for code in case.exploitation_forms or [])
    facts = [
        (_("Case number"), case.number),
        (_("Status"), _status_label(case.status)),
        (_("Legal regime"), _label(LegalRegime.choices, case.legal_regime)),
        (_("Intake channel"), _label(IntakeChannel.choices, case.intake_channel)),
        (_("Reception date"), _day(case.reception_date)),
        (
            _("Department of Health notified"),
            timezone.localtime(case.notified_at).strftime("%d/%m/%Y %H:%M") if case.notified_at else "",
        ),
        (_("Receiving agency"), case.agency.name),
        (_("Unit"), f"{case.unit.name} ({case.unit.code})"),
        (_("Found abroad"), _found(case)),
        (_("Forms of exploitation"), forms_of_exploitation),
        (_("Destination country"), _country(case.destination_country)),
        (_("Route"), _label(Route.choices, case.route)),
        (_("Recruitment method"), _label(Recruitment.choices, case.recruitment_method)),
        (_("Criminal proceeding number"), case.criminal_proceeding_number),
        (_("Assigned to"), str(case.assigned_to) if case.assigned_to_id else ""),
    ]
    return [(label, value or "—") for label, value in facts]


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
        (_("Ethnicity"), person.ethnicity),
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
        limits.append(
            {
                "label": _("Receive the person immediately (Art. 27(1))")
                if case.status == CaseStatus.REPORTED
                else _("Notify the Department of Health immediately (Art. 27(1))"),
                "due": case.reception_date,
                "overdue": False,
                "days_left": None,
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
):
    """The case page. `submitted` is the step form that came back (shown in its place with what
    was entered, or as text when its step is no longer offered); `refusal` says why it was not taken."""
    user = request.user
    show_identity = selectors.can_see_identity(user, case)
    steps = []
    kept = []
    can_edit = selectors.can_edit_case(user, case)
    if can_edit:
        for step in workflow.transitions_from(case.status):
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
        "kept": kept,
        "stale": stale,
        "refusal": refusal or [],
    }
    return render(request, "cases/detail.html", context, status=status)


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
        )
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


# --- The case's sub-pages: shared parts ----------------------------------------------------------

CASE_TABS = (
    ("detail", gettext_lazy("Overview")),
    ("consent", gettext_lazy("Consent")),
    ("support", gettext_lazy("Support")),
    ("referrals", gettext_lazy("Referrals")),
    ("transfer", gettext_lazy("Transfer")),
    ("visits", gettext_lazy("Follow-up visits")),
    ("people", gettext_lazy("People")),
    ("protection", gettext_lazy("Protection")),
    ("shelter", gettext_lazy("Shelter")),
    ("reintegration", gettext_lazy("Reintegration support")),
    ("files", gettext_lazy("Files")),
)
OUTCOME_LABELS = {
    eligibility.Outcome.GRANTED: gettext_lazy("Granted"),
    eligibility.Outcome.DISCRETIONARY: gettext_lazy("Case by case"),
    eligibility.Outcome.REFUSED: gettext_lazy("Not available"),
}


def _case_context(request, case, tab: str, *, can_edit: bool | None = None) -> dict:
    """What every page of a case shows at its top: number, status and the links between its pages."""
    return {
        "case": case,
        "status_label": _status_label(case.status),
        "tab": tab,
        "tabs": [(name, str(label), reverse(f"cases:{name}", args=[case.pk])) for name, label in CASE_TABS],
        "can_edit": selectors.can_edit_case(request.user, case) if can_edit is None else can_edit,
    }


def _case_or_404(request, case_id, purpose: str):
    case = selectors.get_case_for_user(request.user, case_id, purpose=purpose)
    if case is None:
        raise Http404
    return case


def _editable_case(request, case_id, purpose: str):
    """The case for a write: 404 outside the user's scope, 403 for a reader who may not change it."""
    case = _case_or_404(request, case_id, purpose)
    if not selectors.can_edit_case(request.user, case):
        raise PermissionDenied
    return case


def _agencies(user):
    return agencies_visible_to(user).filter(is_active=True)


def _amount(value) -> str:
    return number_format(int(value or 0), force_grouping=True)


def _regime_name(code: str) -> str:
    try:
        info = eligibility.REGIME_INFO[eligibility.Regime(code)]
    except ValueError:
        return code
    name = info.name_vi if (get_language() or "").startswith("vi") else info.name_en
    return f"{info.point}) {name}"


def _regime_choices() -> list[tuple[str, str]]:
    return [(regime.value, _regime_name(regime.value)) for regime in eligibility.Regime]


def _live_consents(case, purpose: str):
    """The case's consents for `purpose` not withdrawn as of today."""
    today = timezone.localdate()
    return (
        case.consents.filter(purpose=purpose)
        .filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=today))
        .select_related("recipient")
        .order_by("-given_on", "-recorded_at")
    )


def _saved(request, message: str, to: str, case):
    messages.success(request, message)
    return redirect(to, case_id=case.pk)


# --- Consent ---------------------------------------------------------------------------------------


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


# --- Support: eligibility, items, extensions --------------------------------------------------------


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
                "legal_regime_reason": _(assessment.legal_regime_reason),
                "category": _(assessment.category),
                "notes": [_(note) for note in assessment.notes],
                "rows": [
                    {
                        "regime": _regime_name(decision.regime.value),
                        "outcome": str(OUTCOME_LABELS.get(decision.outcome, decision.outcome)),
                        "outcome_key": str(decision.outcome),
                        "article": decision.article,
                        "reason": _(decision.reason),
                        "conditions": [_(condition) for condition in decision.conditions],
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
    extension_form = extension_form or SupportExtensionForm(regimes=regimes)
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
                "decided_by": extension.decided_by,
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
    if form.is_valid():
        data = {**form.cleaned_data, "beneficiary": persons[form.cleaned_data["beneficiary"]]}
        try:
            item = support.record_support_item(actor=request.user, case=case, data=data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            message = _("Support recorded: %(quantity)s × %(amount)s = %(total)s VND.") % {
                "quantity": item.quantity,
                "amount": _amount(item.unit_amount),
                "total": _amount(item.total),
            }
            return _saved(request, message, "cases:support", case)
    return _render_support(request, case, item_form=form, status=400)


@require_POST
@require_view_cases
def support_extension(request, case_id):
    case = _editable_case(request, case_id, "support")
    form = SupportExtensionForm(request.POST, regimes=_regime_choices())
    if form.is_valid():
        try:
            support.record_extension(actor=request.user, case=case, data=form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return _saved(request, _("Extension decision recorded."), "cases:support", case)
    return _render_support(request, case, extension_form=form, status=400)


# --- Referrals ---------------------------------------------------------------------------------------


def _referral_form(user, case, data=None):
    return ReferralForm(data, agencies=_agencies(user), consents=_live_consents(case, "referral"))


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
    if form.is_valid():
        try:
            services.create_referral(actor=request.user, case=case, data=form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return _saved(request, _("Referral sent."), "cases:referrals", case)
    return _render_referrals(request, case, form=form, status=400)


@require_POST
@require_view_cases
def referral_update(request, case_id, referral_id):
    case = _editable_case(request, case_id, "referral")
    referral = case.referrals.filter(pk=referral_id).first()
    if referral is None:
        raise Http404
    moves = sorted(services.REFERRAL_MOVES.get(referral.status, ()))
    form = ReferralUpdateForm(request.POST, referral=referral, moves=moves)
    if form.is_valid():
        try:
            services.update_referral(
                actor=request.user,
                referral=referral,
                status=form.cleaned_data["status"],
                outcome=form.cleaned_data["outcome"],
                follow_up_on=form.cleaned_data["follow_up_on"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return _saved(request, _("Referral updated."), "cases:referrals", case)
    if not moves:
        messages.error(
            request,
            _("This referral is %(status)s: it cannot change any more.") % {"status": referral.get_status_display()},
        )
        return redirect("cases:referrals", case_id=case.pk)
    return _render_referrals(request, case, updates={referral.pk: form}, status=400)


# --- Transfer ----------------------------------------------------------------------------------------


def _agencies_over(unit) -> list:
    """Active agencies working in `unit`: those at the unit itself or at a unit above it."""
    ids = [int(part) for part in (unit.path or "").strip("/").split("/") if part.isdigit()]
    return list(
        Agency.objects.filter(unit_id__in=ids, is_active=True).select_related("unit").order_by("-unit__level", "name")
    )


def _transfer_form(user, case, data=None):
    shown = []
    code = (data or {}).get("to_unit", "") if data is not None else ""
    if code:
        try:
            shown = _agencies_over(resolve_unit(str(code)[:10], timezone.localdate()))
        except UnitLookupError:
            shown = []
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
        "unit_options": _unit_options(user) if form is not None else [],
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
    if form.is_valid():
        try:
            services.request_transfer(actor=request.user, case=case, data=form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            message = _("Transfer requested: %(unit)s will accept or decline it.") % {
                "unit": form.cleaned_data["to_unit"].name
            }
            return _saved(request, message, "cases:transfer", case)
    return _render_transfer(request, case, form=form, status=400)


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


# --- Follow-up visits --------------------------------------------------------------------------------


def _render_visits(request, case, *, form=None, status: int = 200):
    can_edit = selectors.can_edit_case(request.user, case)
    visits = list(case.visits.select_related("recorded_by").order_by("-visit_date", "-recorded_at"))
    if can_edit and form is None:
        form = VisitForm(initial={"visit_date": timezone.localdate()})
    next_visit = visits[0].next_visit_on if visits else None
    context = {
        **_case_context(request, case, "visits", can_edit=can_edit),
        "visits": visits,
        "next_visit": next_visit,
        "next_overdue": next_visit is not None and next_visit < timezone.localdate(),
        "form": form,
    }
    return render(request, "cases/visits.html", context, status=status)


@require_http_methods(["GET", "POST"])
@require_view_cases
def visits(request, case_id):
    if request.method == "GET":
        return _render_visits(request, _case_or_404(request, case_id, "visits"))
    case = _editable_case(request, case_id, "visits")
    form = VisitForm(request.POST)
    if form.is_valid():
        try:
            services.record_visit(actor=request.user, case=case, data=form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return _saved(request, _("Follow-up visit recorded."), "cases:visits", case)
    return _render_visits(request, case, form=form, status=400)


# --- People: the person and linked persons -----------------------------------------------------------


def _role_label(role: str) -> str:
    """'person' (the case's person) or a relationship code, as words."""
    if role == "person":
        return _("The person")
    if role == "other":
        return _("Other")
    return _label(Relationship.choices, role)


def _case_persons(case) -> list[tuple]:
    """(person, role) for the case's person and its linked persons, the person first."""
    links = case.linked_persons.select_related("person").order_by("relationship", "person__birth_year", "id")
    return [(case.person, "person"), *((link.person, link.relationship) for link in links)]


def _person_choices(persons, show_identity: bool, *, children_only: bool = False) -> list[tuple[str, str]]:
    choices = []
    for person, role in persons:
        if children_only and role not in ("person", Relationship.CHILD):
            continue
        label = _role_label(role)
        if role != "person" and person.birth_year:
            label = f"{label} ({person.birth_year})"
        if show_identity and person.full_name:
            label = f"{label}: {person.full_name}"
        choices.append((str(person.pk), label))
    return choices


def _chosen_person(persons, value):
    """The Person chosen from `_person_choices` (the form has already checked it is listed)."""
    return next((person for person, _role in persons if str(person.pk) == value), None)


def _render_people(request, case, *, form=None, status: int = 200):
    user = request.user
    can_edit = selectors.can_edit_case(user, case)
    show_identity = selectors.can_see_identity(user, case)
    principal_protected = case.protection_decisions.filter(
        subject_id=case.person_id, status=ProtectionStatus.ACTIVE
    ).exists()
    rows = []
    for person, role, protected, notes in [
        (case.person, "person", principal_protected, ""),
        *(
            (link.person, link.relationship, link.is_protected, link.notes)
            for link in case.linked_persons.select_related("person").order_by("relationship", "id")
        ),
    ]:
        shown = selectors.person_view(person, show_identity=show_identity)
        rows.append(
            {
                "role": _role_label(role),
                "name": shown.full_name or "—",
                "other_names": shown.other_names,
                "sex": _label(Sex.choices, shown.sex),
                "birth": _day(person.birth_date) if show_identity and person.birth_date else (person.birth_year or "—"),
                "protected": protected,
                "notes": notes if show_identity else (selectors.MASK if notes else ""),
            }
        )
    if can_edit and form is None:
        form = LinkPersonForm()
    context = {
        **_case_context(request, case, "people", can_edit=can_edit),
        "rows": rows,
        "show_identity": show_identity,
        "form": form,
    }
    return render(request, "cases/people.html", context, status=status)


@require_http_methods(["GET", "POST"])
@require_view_cases
def people(request, case_id):
    if request.method == "GET":
        return _render_people(request, _case_or_404(request, case_id, "people"))
    case = _editable_case(request, case_id, "people")
    form = LinkPersonForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            protection.link_person(
                actor=request.user,
                case=case,
                person_data=form.person_data(),
                relationship=data["relationship"],
                is_protected=data["is_protected"],
                notes=data["notes"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return _saved(request, _("Linked person recorded."), "cases:people", case)
    return _render_people(request, case, form=form, status=400)


# --- Protection ----------------------------------------------------------------------------------------


def _commitment_choices(case) -> list[tuple[str, str]]:
    """The case's signed commitments, by date and size (never the file name)."""
    return [
        (str(item.pk), f"{timezone.localtime(item.uploaded_at):%d/%m/%Y %H:%M} · {filesizeformat(item.size)}")
        for item in protection.attachments_for(case).filter(kind=AttachmentKind.PROTECTION_COMMITMENT)
    ]


def _decision_form(request, case, persons, show_identity, data=None):
    return ProtectionDecisionForm(
        data,
        subjects=_person_choices(persons, show_identity),
        initial={"decided_on": timezone.localdate(), "subject": str(case.person_id)},
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
    for view in protection.protection_decisions_for(user, case):
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
    if form.is_valid():
        data = {**form.cleaned_data, "subject": _chosen_person(persons, form.cleaned_data["subject"])}
        try:
            protection.decide_protection(actor=request.user, case=case, data=data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return _saved(request, _("Protection decision recorded."), "cases:protection", case)
    return _render_protection(request, case, form=form, status=400)


def _decision_of(case, decision_id):
    decision = case.protection_decisions.filter(pk=decision_id).first()
    if decision is None:
        raise Http404
    return decision


def _already_finished(request, case, message: str, to: str):
    messages.error(request, message)
    return redirect(to, case_id=case.pk)


@require_POST
@require_view_cases
def protection_refuse(request, case_id, decision_id):
    case = _editable_case(request, case_id, "protection")
    decision = _decision_of(case, decision_id)
    if decision.status != ProtectionStatus.ACTIVE:
        return _already_finished(
            request, case, _("This protection decision is no longer in force."), "cases:protection"
        )
    form = ProtectionRefusalForm(request.POST, decision=decision, commitments=_commitment_choices(case))
    if form.is_valid():
        data = dict(form.cleaned_data)
        chosen = data.get("commitment_file")
        data["commitment_file"] = protection.attachments_for(case).filter(pk=chosen).first() if chosen else None
        try:
            protection.record_refusal(actor=request.user, decision=decision, data=data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return _saved(request, _("Refusal of protection recorded."), "cases:protection", case)
    return _render_protection(request, case, refusals={decision.pk: form}, status=400)


@require_POST
@require_view_cases
def protection_end(request, case_id, decision_id):
    case = _editable_case(request, case_id, "protection")
    decision = _decision_of(case, decision_id)
    if decision.status != ProtectionStatus.ACTIVE:
        return _already_finished(
            request, case, _("This protection decision is no longer in force."), "cases:protection"
        )
    form = ProtectionEndForm(request.POST, decision=decision)
    if form.is_valid():
        try:
            protection.end_protection(actor=request.user, decision=decision, data=form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return _saved(request, _("Protection ended."), "cases:protection", case)
    return _render_protection(request, case, endings={decision.pk: form}, status=400)


# --- Shelter stays -------------------------------------------------------------------------------------


def _stay_form(request, case, persons, show_identity, data=None):
    return StayStartForm(
        data,
        persons=_person_choices(persons, show_identity),
        agencies=_agencies(request.user),
        initial={"start_date": timezone.localdate(), "person": str(case.person_id)},
    )


def _render_shelter(
    request, case, *, form=None, extensions: dict | None = None, endings: dict | None = None, status: int = 200
):
    user = request.user
    can_edit = selectors.can_edit_case(user, case)
    show_identity = selectors.can_see_identity(user, case)
    extensions, endings = extensions or {}, endings or {}
    today = timezone.localdate()
    rows = []
    for view in protection.shelter_stays_for(user, case):
        stay = view.stay
        is_open = stay.end_date is None
        extend = end = None
        if can_edit and is_open:
            extend = extensions.get(stay.pk) or StayExtendForm(stay=stay, initial={"extension_decided_on": today})
            end = endings.get(stay.pk) or StayEndForm(stay=stay, initial={"end_date": today})
        rows.append(
            {
                "view": view,
                "stay": stay,
                "person": _role_label(view.person),
                "open": is_open,
                "due": view.deadline.due,
                "overdue": is_open and view.deadline.overdue,
                "days_left": view.deadline.days_left if is_open else None,
                "days_over": -view.deadline.days_left if is_open and view.deadline.overdue else None,
                "days": (stay.end_date - stay.start_date).days + 1 if stay.end_date else None,
                "extend": extend,
                "extend_open": stay.pk in extensions,
                "end": end,
                "end_open": stay.pk in endings,
            }
        )
    if can_edit and form is None:
        form = _stay_form(request, case, _case_persons(case), show_identity)
    context = {
        **_case_context(request, case, "shelter", can_edit=can_edit),
        "rows": rows,
        "form": form,
        "max_days": timelimits.shelter_max_days(),
        "show_identity": show_identity,
    }
    return render(request, "cases/shelter.html", context, status=status)


@require_http_methods(["GET", "POST"])
@require_view_cases
def shelter(request, case_id):
    if request.method == "GET":
        return _render_shelter(request, _case_or_404(request, case_id, "shelter"))
    case = _editable_case(request, case_id, "shelter")
    persons = _case_persons(case)
    form = _stay_form(request, case, persons, selectors.can_see_identity(request.user, case), request.POST)
    if form.is_valid():
        data = {**form.cleaned_data, "person": _chosen_person(persons, form.cleaned_data["person"])}
        try:
            protection.start_stay(actor=request.user, case=case, data=data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return _saved(request, _("Shelter stay recorded."), "cases:shelter", case)
    return _render_shelter(request, case, form=form, status=400)


def _stay_of(case, stay_id):
    stay = case.shelter_stays.filter(pk=stay_id).first()
    if stay is None:
        raise Http404
    return stay


@require_POST
@require_view_cases
def shelter_extend(request, case_id, stay_id):
    case = _editable_case(request, case_id, "shelter")
    stay = _stay_of(case, stay_id)
    if stay.end_date is not None:
        return _already_finished(request, case, _("This stay has ended."), "cases:shelter")
    form = StayExtendForm(request.POST, stay=stay)
    if form.is_valid():
        try:
            protection.extend_stay(actor=request.user, stay=stay, data=form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return _saved(request, _("Extension decision recorded."), "cases:shelter", case)
    return _render_shelter(request, case, extensions={stay.pk: form}, status=400)


@require_POST
@require_view_cases
def shelter_end(request, case_id, stay_id):
    case = _editable_case(request, case_id, "shelter")
    stay = _stay_of(case, stay_id)
    if stay.end_date is not None:
        return _already_finished(request, case, _("This stay has ended."), "cases:shelter")
    form = StayEndForm(request.POST, stay=stay)
    if form.is_valid():
        try:
            protection.end_stay(actor=request.user, stay=stay, data=form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return _saved(request, _("Shelter stay ended."), "cases:shelter", case)
    return _render_shelter(request, case, endings={stay.pk: form}, status=400)


# --- Reintegration applications (Form 07) ----------------------------------------------------------


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


# --- Files ---------------------------------------------------------------------------------------------


def _render_files(request, case, *, form=None, status: int = 200):
    user = request.user
    can_edit = selectors.can_edit_case(user, case)
    show_identity = selectors.can_see_identity(user, case)
    rows = [
        {
            "attachment": item,
            "name": item.original_name if show_identity else selectors.MASK,
            "kind": _label(AttachmentKind.choices, item.kind),
            "size": filesizeformat(item.size),
            "by": (item.uploaded_by.full_name or item.uploaded_by.username) if item.uploaded_by_id else "",
        }
        for item in protection.attachments_for(case).select_related("uploaded_by")
    ]
    if can_edit and form is None:
        form = AttachmentForm()
    context = {
        **_case_context(request, case, "files", can_edit=can_edit),
        "rows": rows,
        "form": form,
        "show_identity": show_identity,
        "max_size": filesizeformat(protection.max_attachment_bytes()),
    }
    return render(request, "cases/files.html", context, status=status)


@require_http_methods(["GET", "POST"])
@require_view_cases
def files(request, case_id):
    if request.method == "GET":
        return _render_files(request, _case_or_404(request, case_id, "attachments"))
    case = _editable_case(request, case_id, "attachments")
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            protection.add_attachment(
                actor=request.user, case=case, kind=form.cleaned_data["kind"], uploaded_file=form.cleaned_data["file"]
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return _saved(request, _("File kept with the case."), "cases:files", case)
    return _render_files(request, case, form=form, status=400)


@require_GET
@require_view_cases
def file_download(request, case_id, attachment_id):
    """The file itself, as a download: audited; 403 for a reader who sees identities masked."""
    attachment = protection.get_attachment_for_user(request.user, attachment_id)
    if attachment is None or attachment.case_id != case_id:
        raise Http404
    result = protection.download_attachment(actor=request.user, attachment=attachment)
    if result is None:
        raise Http404
    name, content_type, content = result
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Length"] = str(len(content))
    return response


# --- Provincial rate tables ----------------------------------------------------------------------

RATES_PAGE_SIZE = 100


def _rate_provinces(user):
    """Provinces of today's map whose rate tables the user may edit."""
    condition = Q()
    paths = scope_for(user).paths_for(Capability.MANAGE_RATES)
    for path in paths:
        condition |= Q(placement_path__startswith=path)
    if not paths:
        return AdministrativeUnit.objects.none()
    return AdministrativeUnit.objects.filter(condition, level=UnitLevel.PROVINCE, valid_to__isnull=True).order_by(
        "sort_key"
    )


def _rates_for(user):
    """Rate tables the user may edit, and those of the provinces where the user works on cases."""
    scope = scope_for(user)
    province_paths = set()
    for path in scope.paths_for(Capability.VIEW_CASES):
        parts = [part for part in path.split("/") if part]
        if len(parts) >= 2:
            province_paths.add("/" + "/".join(parts[:2]) + "/")
    editable = support.rates_visible_to(user).values("pk")
    widen = Q(pk__in=editable) | Q(province__path__in=province_paths)
    return scope.filter(
        RateTable.objects.select_related("province"), Capability.VIEW_CASES, unit_field="province", widen=widen
    ).order_by("province__sort_key", "regime", "item", "-valid_from")


@require_http_methods(["GET", "POST"])
def rates(request):
    user = request.user
    scope = scope_for(user)
    if not (scope.can(Capability.VIEW_CASES) or scope.can(Capability.MANAGE_RATES)):
        raise PermissionDenied
    may_edit = scope.can(Capability.MANAGE_RATES)
    regimes = _regime_choices()
    form = None
    status = 200
    if may_edit:
        provinces = _rate_provinces(user)
        initial = {"valid_from": timezone.localdate(), "province": provinces.first()}
        form = RateForm(request.POST or None, provinces=provinces, regimes=regimes, initial=initial)
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                rate = support.create_rate(actor=user, data=form.cleaned_data)
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Rate recorded: %(item)s, %(amount)s VND, %(province)s.")
                    % {"item": rate.item, "amount": _amount(rate.amount), "province": rate.province.name},
                )
                return redirect("cases:rates")
        status = 400
    filters = RateFilterForm(request.GET or None, regimes=regimes)
    listed = _rates_for(user)
    if filters.is_valid():
        if filters.cleaned_data["province"]:
            listed = listed.filter(province__code=filters.cleaned_data["province"])
        if filters.cleaned_data["regime"]:
            listed = listed.filter(regime=filters.cleaned_data["regime"])
    page = Paginator(listed, RATES_PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [
        {
            "province": rate.province.name,
            "regime": _regime_name(rate.regime),
            "item": rate.item,
            "per": str(RATE_UNIT_LABELS.get(rate.unit_label, rate.unit_label)),
            "amount": _amount(rate.amount),
            "max_units": rate.max_units,
            "valid_from": rate.valid_from,
            "valid_to": rate.valid_to,
            "in_force": rate.valid_from <= today and (rate.valid_to is None or rate.valid_to >= today),
            "legal_basis": rate.legal_basis,
        }
        for rate in page
    ]
    context = {"form": form, "filters": filters, "page": page, "rows": rows, "may_edit": may_edit}
    return render(request, "cases/rates.html", context, status=status)


# --- Break the glass ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@require_capability(Capability.BREAK_GLASS)
def break_glass(request):
    """Open one case outside one's area: a reason, an audit entry, a notice to the supervisors."""
    form = BreakGlassForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            grant = services.break_glass(
                actor=request.user, case_number=form.cleaned_data["case_number"], reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            _apply_errors(form, error)
            status = 400
        else:
            messages.warning(
                request,
                _("Access granted until %(time)s. The supervisors have been told.")
                % {"time": timezone.localtime(grant.expires_at).strftime("%d/%m/%Y %H:%M")},
            )
            return redirect("cases:detail", case_id=grant.case_id)
    return render(request, "cases/break_glass.html", {"form": form}, status=status)
