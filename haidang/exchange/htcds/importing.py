"""Reading HTCDS v2 records from a partner (CSV or JSON, as `writers` writes them) through the row-error
machinery of `exchange.rows`: each record read into a person and a case or into errors naming row, column,
value and a translated message. The import itself (upload, dry run as a job, staged rows, commit, re-import
by source key) is the kind `htcds.kind.Htcds` of `exchange.imports`.

HTCDS codes are read back into the project's (Gender → sex, TypeOfExploitation → forms, alpha-2 → alpha-3);
the mailing address (`prs_MailingStreet`, `prs_MailingCity`, `prs_MailingState`) is placed through the address
resolver on the record's registration date. The intake channel, the receiving agency and its unit are the
importer's, as for any intake.
"""

from django.utils.translation import gettext as _

from haidang.cases.models import NationalityClass, Recruitment, Sex
from haidang.common.countries import from_alpha2
from haidang.exchange.htcds.codes import EXPLOITATION
from haidang.exchange.rows import Column, RowResult, Schema
from haidang.places.models import UnitLevel
from haidang.places.resolver import resolve_address
from haidang.places.selectors import UnitLookupError, resolve_unit

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000

_GENDER = (
    (Sex.FEMALE, "Feminine"),
    (Sex.MALE, "Masculine"),
    (Sex.OTHER, "NonConforming"),
    (Sex.OTHER, "TransgenderFeminine"),
    (Sex.OTHER, "TransgenderMasculine"),
    (Sex.UNKNOWN, "NonSpecifiedUnknown"),
)
# HTCDS → project: each project form under its HTCDS code; codes with no project form read as "other".
_EXPLOITATION = (
    *((form, code) for form, code in EXPLOITATION.items() if form != "forced_crime"),
    ("forced_labour", "ChildLabour"),
    ("other", "ForcedMilitaryByNonStateActors"),
)
_RECRUITMENT = (
    (Recruitment.ONLINE_JOB_OFFER, "ThroughAnOnlineAdvertisement"),
    (Recruitment.SOCIAL_NETWORK, "ThroughOnlineSocialNetworks"),
    (Recruitment.ACQUAINTANCE, "ThroughFriendsOrSocialEvents"),
    (Recruitment.ACQUAINTANCE, "ThroughFamilyOrFamilyEvents"),
    *((Recruitment.OTHER, code) for code in ("AtAPlaceOfBusiness", "AtAnEducationalInstitution", "AtWork")),
    *((Recruitment.OTHER, code) for code in ("ThroughATelevisionAdvert", "ThroughANewspaperAdvert", "Other")),
)

SCHEMA = Schema(
    [
        Column("x_case_id", "x_case_id", required=True, max_length=80, aliases=("id", "x_partner_id")),
        Column("x_registered_on", "x_registered_on", kind="day", required=True, aliases=("cas_IncomingReferralDate",)),
        Column("prs_FirstName", "prs_FirstName", max_length=100),
        Column("prs_MiddleName", "prs_MiddleName", max_length=100),
        Column("prs_SecondName", "prs_SecondName", max_length=100),
        Column("prs_Birthdate", "prs_Birthdate", kind="day"),
        Column("x_birth_year", "x_birth_year", kind="count"),
        Column("prs_Gender", "prs_Gender", kind="code", choices=_GENDER),
        Column("prs_Citizenship", "prs_Citizenship", max_length=100),
        Column("prs_MailingStreet", "prs_MailingStreet", max_length=300),
        Column("prs_MailingCity", "prs_MailingCity", max_length=150),
        Column("prs_MailingState", "prs_MailingState", max_length=150),
        Column("vic_TypeOfExploitation", "vic_TypeOfExploitation", kind="codes", choices=_EXPLOITATION),
        Column("vic_MethodOfRecruitment", "vic_MethodOfRecruitment", kind="codes", choices=_RECRUITMENT),
        Column("hte_Country", "hte_Country", max_length=2),
    ],
    source_key="x_case_id",
)
# Columns an export writes that the import does not read (they are derived again here).
IGNORED = frozenset(
    {
        "x_case_number",
        "x_legal_regime",
        "x_intake_channel",
        "prs_MailingCountry",
        "x_residence_unit_code",
        "x_residence_unit_today_code",
        "vic_TraffickingStatus",
        "hte_Type",
        "cas_Status",
        "con_Consent",
    }
)


def check_countries(result: RowResult) -> None:
    values, row = result.values, result.row
    codes = [c for c in (values.get("prs_Citizenship") or "").replace(",", ";").split(";") if c.strip()]
    alpha3 = [from_alpha2(code) for code in codes]
    if any(code is None for code in alpha3):
        message = _("Countries are ISO 3166-1 alpha-2 codes, such as VN or KH.")
        result.errors.append(SCHEMA.error_for(row, "prs_Citizenship", result.raw, message))
    values["citizenship"] = [code for code in alpha3 if code]
    country = values.get("hte_Country") or ""
    values["destination"] = from_alpha2(country) if country else ""
    if country and values["destination"] is None:
        message = _("Countries are ISO 3166-1 alpha-2 codes, such as VN or KH.")
        result.errors.append(SCHEMA.error_for(row, "hte_Country", result.raw, message))


def check_address(result: RowResult) -> None:
    values = result.values
    parts = [values.get("prs_MailingCity"), values.get("prs_MailingState")]
    text = ", ".join(part for part in parts if part)
    values["residence_unit"] = None
    if not text:
        return
    found = resolve_address(text, as_of=values["x_registered_on"], levels=[UnitLevel.COMMUNE])
    if found.unit is None:
        message = found.resolution.message or _("“%(text)s” names no commune on that date.") % {"text": text}
        result.errors.append(SCHEMA.error_for(result.row, "prs_MailingCity", result.raw, message))
    values["residence_unit"] = found.unit


def check_name(result: RowResult) -> None:
    values = result.values
    words = [values.get("prs_SecondName"), values.get("prs_MiddleName"), values.get("prs_FirstName")]
    values["full_name"] = " ".join(word for word in words if word)
    if not values["full_name"]:
        message = _("Give at least the given name (prs_FirstName).")
        result.errors.append(SCHEMA.error_for(result.row, "prs_FirstName", result.raw, message))


def _unit_on(unit, day):
    """The agency's unit on the record's date: for a record from before 01/07/2025, the unit of the old map
    with the same code (the old Hà Nội for the new one), when there is one."""
    if unit.is_valid_on(day):
        return unit
    try:
        return resolve_unit(unit.code, day)
    except UnitLookupError:
        return unit  # the intake refuses it, naming the unit


def person_and_case(values: dict, *, agency, intake_channel: str) -> tuple[dict, dict]:
    citizenship = values.get("citizenship") or []
    vietnamese = not citizenship or "VNM" in citizenship
    person = {
        "full_name": values["full_name"],
        "sex": values.get("prs_Gender") or Sex.UNKNOWN,
        "birth_date": values.get("prs_Birthdate"),
        "birth_year": values.get("x_birth_year") if not values.get("prs_Birthdate") else None,
        "nationality_class": NationalityClass.VN_CITIZEN if vietnamese else NationalityClass.FOREIGN,
        "nationality_country": "" if vietnamese else citizenship[0],
        "residence_unit": values.get("residence_unit"),
        "address": values.get("prs_MailingStreet") or "",
    }
    recruitment = values.get("vic_MethodOfRecruitment") or []
    case = {
        "intake_channel": intake_channel,
        "reception_date": values["x_registered_on"],
        "unit": _unit_on(agency.unit, values["x_registered_on"]),
        "agency": agency,
        "exploitation_forms": values.get("vic_TypeOfExploitation") or [],
        "recruitment_method": recruitment[0] if recruitment else "",
        "destination_country": values.get("destination") or "",
    }
    return person, case
