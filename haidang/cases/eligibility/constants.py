"""Eligibility: the setting candidates with their documented defaults (gathered in `Policy`) and
the constraints the case module's time limits and support items use."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta, timezone

# --------------------------------------------------------------------------------------------------
# Setting candidates (documented defaults). Anything marked VERIFY is not confirmed against an
# official full text; see legal-vn.md.

#: Law 53/2024/QH15 comes into force; before it, and for victims identified before it (Art. 63),
#: the Law 66/2011/QH12 regime applies.
LAW_2024_IN_FORCE = date(2025, 7, 1)

#: Art. 37(2) gives an accompanying child points (a) to (h) only, so no vocational training.
#: VERIFY(voc-accompanying-child): Decree 162/2025 Art. 24 is reported to extend vocational training
#: to accompanying under-18s.
VOC_FOR_ACCOMPANYING_CHILD = False

#: Art. 37(4) names foreign persons "trafficked in Vietnam"; the matrix (legal-vn.md §3.2) reads it as
#: persons who are in Vietnam. VERIFY(foreign-presence): the text names no location.
FOREIGN_REQUIRES_PRESENCE_IN_VIETNAM = True

#: Art. 63 speaks of the identification date. When a victim's identification date is not recorded
#: (legacy records), the reception date decides instead.
#: VERIFY(reception-date-fallback): a data-gap rule, not a legal one.
RECEPTION_DATE_FALLBACK = True

# --------------------------------------------------------------------------------------------------
# Constraints (for the case module's time limits and support items).

#: Shelter and essential needs: at most 120 days; an extension needs a recorded decision
#: (Decree 162/2025/NĐ-CP Art. 17). Same value as the case module's CASE_SHELTER_MAX_DAYS.
ESS_MAX_DAYS = 120
ESS_EXTENSION_REQUIRES_DECISION = True
#: A schooling / vocational training / hardship application (Form No. 07) is decided by the
#: Department of Health within 9 working days of receipt.
REINTEGRATION_DECISION_WORKING_DAYS = 9
#: Initial verification within 3 days of notification (Art. 27(2) as amended in 2025).
INITIAL_VERIFICATION_DAYS = 3
#: Schooling after return: tuition exemption for the first school year and the following one (Decree 162 Art. 24).
EDU_FEE_EXEMPTION_SCHOOL_YEARS = 2
#: Legacy: meals during a facility stay for at most 60 days (Decree 09/2013/NĐ-CP). VERIFY(2011-meals-60-days).
ESS_MAX_DAYS_2011 = 60
#: Legacy: schooling, vocational training and hardship allowance applied for within 12 months, through
#: the commune People's Committee (Decree 09/2013/NĐ-CP). VERIFY(2011-application-window).
REINTEGRATION_APPLICATION_MONTHS_2011 = 12

#: Vietnam is UTC+7 all year; "today" is the Vietnamese date.
VIETNAM_TZ = timezone(timedelta(hours=7), "ICT")


@dataclass(frozen=True)
class Constraint:
    key: str
    value: int | bool
    unit: str
    basis: str


CONSTRAINTS: tuple[Constraint, ...] = (
    Constraint("ESS.max_days", ESS_MAX_DAYS, "days", "Decree 162/2025/NĐ-CP Art. 17"),
    Constraint("ESS.extension_requires_decision", ESS_EXTENSION_REQUIRES_DECISION, "", "Decree 162/2025/NĐ-CP Art. 17"),
    Constraint("EDU.fee_exemption_school_years", EDU_FEE_EXEMPTION_SCHOOL_YEARS, "school years", "Decree 162 Art. 24"),
    Constraint(
        "reintegration.decision_working_days", REINTEGRATION_DECISION_WORKING_DAYS, "working days", "Form No. 07"
    ),
    Constraint("initial_verification.days", INITIAL_VERIFICATION_DAYS, "days", "Art. 27(2) Law 53/2024/QH15"),
    Constraint("ESS.max_days_2011", ESS_MAX_DAYS_2011, "days", "Decree 09/2013/NĐ-CP"),
    Constraint(
        "reintegration.application_months_2011", REINTEGRATION_APPLICATION_MONTHS_2011, "months", "Decree 09/2013/NĐ-CP"
    ),
)


@dataclass(frozen=True)
class Policy:
    """The setting candidates above, in one value the case module can build from its settings."""

    law_2024_in_force: date = LAW_2024_IN_FORCE
    voc_for_accompanying_child: bool = VOC_FOR_ACCOMPANYING_CHILD
    foreign_requires_presence_in_vietnam: bool = FOREIGN_REQUIRES_PRESENCE_IN_VIETNAM
    reception_date_fallback: bool = RECEPTION_DATE_FALLBACK


DEFAULT_POLICY = Policy()
