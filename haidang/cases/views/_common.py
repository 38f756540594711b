"""What the pages of the cases app share: labels and dates as text, the case and its tabs for a
sub-page, the scope checks before a read or a write, a service's errors put back on the form."""

from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from haidang.access.selectors import agencies_visible_to
from haidang.cases import authority as law
from haidang.cases import eligibility, selectors
from haidang.cases.models import CaseStatus, Relationship, status_label
from haidang.common.countries import country_name


@dataclass(frozen=True)
class Column:
    """A column of a list of records (`cases/includes/record_section.html`): its heading, and a
    class for its heading cell (`num` for figures)."""

    label: str
    css: str = ""


# Steps the law wants taken at once (Art. 27(1)): their due date is the reception date.
IMMEDIATE_KINDS = frozenset({CaseStatus.REPORTED, CaseStatus.RECEIVED})


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


_status_label = status_label  # the pages' name for it


def _country(code: str) -> str:
    if not code:
        return ""
    name = country_name(code, get_language() or "vi")
    return f"{name} ({code})" if name != code else code


def _day(value) -> str:
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, str):
        try:
            return date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return value
    return "" if value is None else str(value)


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


def _deciders(user, kind: str):
    """The agencies the user may name as the body that took a decision of `kind` (`authority.DECISIONS`)."""
    _recorder, decider = law.DECISIONS[kind]
    return _agencies(user).filter(agency_type__in=decider.agency_types)


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


def _already_finished(request, case, message: str, to: str):
    messages.error(request, message)
    return redirect(to, case_id=case.pk)


def _record_of(records, pk):
    """One of a case's records (`case.consents`, `case.shelter_stays`...) by its id, or a 404."""
    record = records.filter(pk=pk).first()
    if record is None:
        raise Http404
    return record


def _save_form(request, form, save, message, to: str, case):
    """Save a valid form through the service call `save(cleaned_data)`, say so and go back to `to`.

    `message` is the text to show, or a function of what `save` returned. None when the form is not
    valid or the service refused it (its errors are then on the fields they name): the caller shows
    the page again with the form."""
    if not form.is_valid():
        return None
    try:
        result = save(form.cleaned_data)
    except ValidationError as error:
        _apply_errors(form, error)
        return None
    return _saved(request, message(result) if callable(message) else message, to, case)


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
