"""Consent and disclosure (Law 53/2024 Art. 3(10): no disclosure without consent)."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from haidang.audit.services import record_event
from haidang.cases.models import Case, Consent, ConsentGiver, Disclosure
from haidang.cases.selectors import can_edit_case
from haidang.cases.services._common import _event
from haidang.common.ages import age_on
from haidang.common.text import clean_text
from haidang.places.errors import format_day

DISCLOSURE_PURPOSES = ("referral", "transfer", "export", "share")
CONSENT_METHODS = ("written", "verbal_witnessed", "electronic")

# Who must consent, by the person's age on the day of the consent (Law 53/2024 Art. 3(10): the
# person or the legal representative; Law on Children 2016 Art. 6(14) and 33: a child's private
# information needs the child's own consent from 7 as well as the representative's; a child is
# under 16 (Art. 1)). VERIFY(child-consent-article): the article numbers of the Law on Children.
CHILD_CONSENTS_FROM = 7
CHILD_UNTIL = 16


def required_givers(age: int | None) -> set[str]:
    """The givers whose consent is enough at `age` (None: not known, taken as an adult)."""
    if age is not None and age < CHILD_CONSENTS_FROM:
        return {ConsentGiver.REPRESENTATIVE, ConsentGiver.BOTH}
    if age is not None and age < CHILD_UNTIL:
        return {ConsentGiver.BOTH}
    return {ConsentGiver.PERSON, ConsentGiver.BOTH}


def _check_givers(case: Case, given_by: str, given_on, errors: dict) -> None:
    person = case.person
    age = age_on(given_on, birth_date=person.birth_date, birth_year=person.birth_year)
    if given_by in required_givers(age):
        return
    if age is not None and age < CHILD_CONSENTS_FROM:
        message = _("The person was %(age)s on %(day)s: under 7, the legal representative consents.")
    elif age is not None and age < CHILD_UNTIL:
        message = _(
            "The person was %(age)s on %(day)s: from 7 to under 16, both the child and the legal "
            "representative consent."
        )
    else:
        message = _("The person was %(age)s on %(day)s: from 16, the person consents.")
    errors["given_by"] = [message % {"age": age if age is not None else "?", "day": format_day(given_on)}]


@transaction.atomic
def record_consent(*, actor, case: Case, data: dict):
    if not can_edit_case(actor, case):
        raise PermissionDenied
    errors: dict = {}
    given_by = data.get("given_by")
    if given_by not in ConsentGiver.values:
        errors["given_by"] = [_("Say who gave the consent.")]
    if given_by in (ConsentGiver.REPRESENTATIVE, ConsentGiver.BOTH) and not clean_text(data.get("representative_name")):
        errors["representative_name"] = [_("Name the legal representative.")]
    if data.get("purpose") not in DISCLOSURE_PURPOSES:
        errors["purpose"] = [_("Choose the purpose from the list.")]
    if data.get("method") not in CONSENT_METHODS:
        errors["method"] = [_("Say how the consent was given.")]
    given_on = data.get("given_on")
    if given_on is None:
        errors["given_on"] = [_("This field is required.")]
    elif given_on > timezone.localdate():
        errors["given_on"] = [_("%(day)s is in the future.") % {"day": format_day(given_on)}]
    elif "given_by" not in errors:
        _check_givers(case, given_by, given_on, errors)
    if errors:
        raise ValidationError(errors)
    consent = Consent.objects.create(
        person=case.person,
        case=case,
        given_by=given_by,
        representative_name=clean_text(data.get("representative_name")),
        purpose=data["purpose"],
        recipient=data.get("recipient"),
        given_on=given_on,
        method=data["method"],
        recorded_by=actor,
    )
    _event(
        case,
        actor=actor,
        kind="consent_recorded",
        data={"purpose": consent.purpose, "consent": str(consent.pk), "given_by": given_by},
        event_date=given_on,
    )
    record_event(
        action="cases.consent_recorded",
        actor=actor,
        target=case,
        unit=case.unit,
        changes={"consent": str(consent.pk), "purpose": consent.purpose, "given_by": given_by},
    )
    return consent


@transaction.atomic
def withdraw_consent(*, actor, consent, withdrawn_on: date):
    if not can_edit_case(actor, consent.case):
        raise PermissionDenied
    consent.withdrawn_on = withdrawn_on
    consent.save(update_fields=["withdrawn_on"])
    _event(consent.case, actor=actor, kind="consent_withdrawn", data={"consent": str(consent.pk)})
    record_event(
        action="cases.consent_withdrawn",
        actor=actor,
        target=consent.case,
        unit=consent.case.unit,
        changes={"consent": str(consent.pk)},
    )
    return consent


def check_disclosure(*, case: Case, purpose: str, recipient, consent=None, legal_basis: str = "") -> None:
    """Refuse a disclosure unless a live consent for this purpose (and recipient) or a legal basis is given."""
    if clean_text(legal_basis):
        return
    if consent is None:
        raise ValidationError({"consent": [_("Record the person's consent, or the legal basis, before sharing.")]})
    problems = []
    if consent.case_id != case.pk:
        problems.append(_("This consent belongs to another case."))
    if consent.withdrawn_on is not None and consent.withdrawn_on <= timezone.localdate():
        problems.append(_("This consent was withdrawn on %(day)s.") % {"day": format_day(consent.withdrawn_on)})
    if consent.purpose != purpose:
        problems.append(_("This consent does not cover this purpose."))
    if consent.recipient_id is not None and consent.recipient_id != getattr(recipient, "pk", None):
        problems.append(_("This consent names another recipient."))
    if problems:
        raise ValidationError({"consent": problems})


def _disclose(*, actor, case, kind, recipient, purpose, consent, legal_basis):
    check_disclosure(case=case, purpose=purpose, recipient=recipient, consent=consent, legal_basis=legal_basis)
    Disclosure.objects.create(
        case=case,
        kind=kind,
        recipient=recipient,
        purpose=purpose,
        consent=consent,
        legal_basis=clean_text(legal_basis),
        disclosed_by=actor,
    )
