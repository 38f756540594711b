"""HTCDS records built from cases, one audience at a time.

`cases_for_export(queryset)` adds what every record needs in the same query (the person, the residence unit
and its place today, the status before closing); `partner_record` and `research_record` turn one case into a
dict keyed by HTCDS keys (`fields.PARTNER_COLUMNS`, `fields.RESEARCH_COLUMNS`).
"""

from collections.abc import Callable

from django.db.models import OuterRef, QuerySet, Subquery

from haidang.cases.models import Case, CaseEvent, CaseStatus
from haidang.common.ages import age_on
from haidang.exchange.htcds import codes
from haidang.exchange.htcds.privacy import age_band, month
from haidang.places.models import AdministrativeUnit, UnitLevel


def cases_for_export(queryset: QuerySet[Case]) -> QuerySet[Case]:
    closing = CaseEvent.objects.filter(case=OuterRef("pk"), to_status=CaseStatus.CLOSED).order_by("-recorded_at")
    return (
        queryset.select_related("person__residence_unit__placement__parent")
        .annotate(before_closing=Subquery(closing.values("from_status")[:1]))
        .order_by("reception_date", "number")
    )


def split_name(full_name: str) -> tuple[str, str, str]:
    """(given name, middle names, family name) from a name written họ – đệm – tên."""
    words = (full_name or "").split()
    if not words:
        return "", "", ""
    if len(words) == 1:
        return words[0], "", ""
    return words[-1], " ".join(words[1:-1]), words[0]


def _today(unit: AdministrativeUnit | None) -> AdministrativeUnit | None:
    if unit is None:
        return None
    return unit.placement or unit


def _province_today(unit: AdministrativeUnit | None) -> AdministrativeUnit | None:
    place = _today(unit)
    if place is None:
        return None
    if place.level == UnitLevel.PROVINCE:
        return place
    parent = place.parent
    return parent if parent is not None and parent.level == UnitLevel.PROVINCE else None


def _country_of_exploitation(case: Case) -> str | None:
    if case.destination_country:
        return codes.country(case.destination_country)
    if case.found_abroad and case.found_country:
        return codes.country(case.found_country)
    return None


def _common(case: Case) -> dict:
    person = case.person
    province = _province_today(person.residence_unit)
    exploitation_country = _country_of_exploitation(case)
    return {
        "prs_Gender": codes.gender(person.sex),
        "prs_Citizenship": codes.citizenship(person.nationality_class, person.nationality_country),
        "prs_MailingState": province.name if province else None,
        "prs_MailingCountry": "VN" if person.residence_unit_id else None,
        "vic_TraffickingStatus": codes.trafficking_status(case.status, getattr(case, "before_closing", "") or ""),
        "vic_MethodOfRecruitment": codes.recruitment(case.recruitment_method),
        "vic_TypeOfExploitation": codes.exploitation(case.exploitation_forms),
        "hte_Type": "Exploitation" if exploitation_country else None,
        "hte_Country": exploitation_country,
        "cas_Status": codes.case_status(case.status),
    }


def partner_record(case: Case) -> dict:
    """Identifiable: for a partner whose consent covers the exchange."""
    person = case.person
    first, middle, family = split_name(person.full_name)
    residence = person.residence_unit
    today = _today(residence)
    return {
        "x_case_id": str(case.pk),
        "x_case_number": case.number,
        "x_registered_on": case.reception_date,
        "x_legal_regime": case.legal_regime,
        "x_intake_channel": case.intake_channel,
        "prs_FirstName": first or None,
        "prs_MiddleName": middle or None,
        "prs_SecondName": family or None,
        "prs_Birthdate": person.birth_date,
        "x_birth_year": person.birth_year if person.birth_date is None else None,
        "prs_MailingStreet": person.address or None,
        "prs_MailingCity": residence.name if residence else None,
        "x_residence_unit_code": residence.code if residence else None,
        "x_residence_unit_today_code": today.code if today else None,
        "con_Consent": True,
        **_common(case),
    }


def research_record(case: Case, pseudonymise: Callable[[str], str]) -> dict:
    """No direct identifier: a keyed pseudonym, the month of registration, the age band at registration."""
    person = case.person
    age = age_on(case.reception_date, birth_date=person.birth_date, birth_year=person.birth_year)
    return {
        "x_pseudonym": pseudonymise(str(case.pk)),
        "x_registered_month": month(case.reception_date),
        "x_age_band": age_band(age),
        **_common(case),
    }
