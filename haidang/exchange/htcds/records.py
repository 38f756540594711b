"""HTCDS records built from cases, one audience at a time.

`cases_for_export(queryset)` adds what every record needs in the same query (the person, the residence unit
and its place today, the status before closing); `partner_record` and `research_record` turn one case into a
dict keyed by HTCDS keys (`fields.PARTNER_COLUMNS`, `fields.RESEARCH_COLUMNS`).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import OuterRef, QuerySet, Subquery

from haidang.cases.models import Case, CaseEvent, CaseStatus
from haidang.common.ages import age_on
from haidang.exchange.htcds import codes
from haidang.exchange.htcds.privacy import age_band, month
from haidang.places.models import AdministrativeUnit, UnitLevel


def cases_for_export(queryset: QuerySet[Case]) -> QuerySet[Case]:
    """The cases with their person (and nothing else joined: units are read from `Places`), in one query."""
    closing = CaseEvent.objects.filter(case=OuterRef("pk"), to_status=CaseStatus.CLOSED).order_by("-recorded_at")
    return (
        queryset.select_related(None)
        .select_related("person")
        .annotate(before_closing=Subquery(closing.values("from_status")[:1]))
        .order_by("reception_date", "number")
    )


@dataclass(frozen=True)
class Place:
    name: str
    code: str
    today_code: str | None  # the unit records made under it count in today (the crosswalk's placement)
    province_today: str | None  # the name of that unit's province (or itself, for a province)


class Places:
    """Every unit's name, code and place today, read once per export (a few thousand rows) instead of joining
    three units to every case."""

    def __init__(self):
        rows = AdministrativeUnit.objects.values_list("id", "name", "code", "level", "parent_id", "placement_id")
        self._rows = {pk: (name, code, level, parent, placement) for pk, name, code, level, parent, placement in rows}
        self._cache: dict[int, Place] = {}

    def _province_of(self, pk: int | None) -> str | None:
        row = self._rows.get(pk)
        if row is None:
            return None
        name, _code, level, parent, _placement = row
        if level == UnitLevel.PROVINCE:
            return name
        parent_row = self._rows.get(parent)
        return parent_row[0] if parent_row is not None and parent_row[2] == UnitLevel.PROVINCE else None

    def get(self, pk: int | None) -> Place | None:
        if pk is None:
            return None
        place = self._cache.get(pk)
        if place is None and pk in self._rows:
            name, code, _level, _parent, placement = self._rows[pk]
            today = placement or pk
            today_row = self._rows.get(today)
            place = Place(name, code, today_row[1] if today_row else None, self._province_of(today))
            self._cache[pk] = place
        return place


def split_name(full_name: str) -> tuple[str, str, str]:
    """(given name, middle names, family name) from a name written họ – đệm – tên."""
    words = (full_name or "").split()
    if not words:
        return "", "", ""
    if len(words) == 1:
        return words[0], "", ""
    return words[-1], " ".join(words[1:-1]), words[0]


def _country_of_exploitation(case: Case) -> str | None:
    if case.destination_country:
        return codes.country(case.destination_country)
    if case.found_abroad and case.found_country:
        return codes.country(case.found_country)
    return None


def _common(case: Case, residence: Place | None) -> dict:
    person = case.person
    exploitation_country = _country_of_exploitation(case)
    return {
        "prs_Gender": codes.gender(person.sex),
        "prs_Citizenship": codes.citizenship(person.nationality_class, person.nationality_country),
        "prs_MailingState": residence.province_today if residence else None,
        "prs_MailingCountry": "VN" if person.residence_unit_id else None,
        "vic_TraffickingStatus": codes.trafficking_status(case.status, getattr(case, "before_closing", "") or ""),
        "vic_MethodOfRecruitment": codes.recruitment(case.recruitment_method),
        "vic_TypeOfExploitation": codes.exploitation(case.exploitation_forms),
        "hte_Type": "Exploitation" if exploitation_country else None,
        "hte_Country": exploitation_country,
        "cas_Status": codes.case_status(case.status),
    }


def partner_record(case: Case, places: Places) -> dict:
    """Identifiable: for a partner whose consent covers the exchange."""
    person = case.person
    first, middle, family = split_name(person.full_name)
    residence = places.get(person.residence_unit_id)
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
        "x_residence_unit_today_code": residence.today_code if residence else None,
        "con_Consent": True,
        **_common(case, residence),
    }


def research_record(case: Case, pseudonymise: Callable[[str], str], places: Places) -> dict:
    """No direct identifier: a keyed pseudonym, the month of registration, the age band at registration."""
    person = case.person
    age = age_on(case.reception_date, birth_date=person.birth_date, birth_year=person.birth_year)
    return {
        "x_pseudonym": pseudonymise(str(case.pk)),
        "x_registered_month": month(case.reception_date),
        "x_age_band": age_band(age),
        **_common(case, places.get(person.residence_unit_id)),
    }
