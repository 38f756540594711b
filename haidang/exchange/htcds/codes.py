"""The project's codes → HTCDS v2 code lists (values exactly as `htcds-code-lists.json` spells them).

A project code with no HTCDS value maps to None (exported as empty), never to a guess that looks exact; the
lossy mappings are listed in `docs/htcds-mapping.md`.
"""

from haidang.access.models import AgencyType
from haidang.cases.models import HTCDS_EXPLOITATION, CaseStatus, Recruitment, Sex
from haidang.common.countries import alpha2

# The HTCDS v2 code lists the export produces (a subset of htcds-code-lists.json, same spelling).
CODE_LISTS: dict[str, frozenset[str]] = {
    "Gender": frozenset(
        {"Feminine", "Masculine", "TransgenderFeminine", "TransgenderMasculine", "NonConforming", "NonSpecifiedUnknown"}
    ),
    "TraffickingStatus": frozenset(
        {"PossibleVictimOfTrafficking", "ActualVictimOfTrafficking", "NotAVictimOfTrafficking"}
    ),
    "MethodOfRecruitment": frozenset(
        {
            "AtAPlaceOfBusiness",
            "AtAnEducationalInstitution",
            "AtWork",
            "ThroughOnlineSocialNetworks",
            "ThroughAnOnlineAdvertisement",
            "ThroughATelevisionAdvert",
            "ThroughANewspaperAdvert",
            "ThroughFamilyOrFamilyEvents",
            "ThroughFriendsOrSocialEvents",
            "Other",
        }
    ),
    "TypeOfExploitation": frozenset(
        {
            "ForcedLabour",
            "SexualExploitation",
            "ChildLabour",
            "ForcedMarriage",
            "Servitude",
            "ForcedMilitaryByNonStateActors",
            "OrganRemoval",
            "ForcedBegging",
            "ForcedAdoption",
            "Surrogacy",
            "Other",
        }
    ),
    "CaseStatus": frozenset({"Active", "FollowUp", "Closed", "ClosedReferred"}),
    "TraffickingEventType": frozenset({"Recruitment", "Transit", "Exploitation"}),
    "OrganisationType": frozenset(
        {
            "NGO",
            "LawEnforcement",
            "HealthServiceOrganisation",
            "CentralGovernmentOrganisation",
            "LocalGovernmentOrganisation",
            "ImmigrationService",
            "LegalService",
            "CorporateBusiness",
            "SchoolOrCollege",
        }
    ),
}

GENDER = {
    Sex.FEMALE: "Feminine",
    Sex.MALE: "Masculine",
    Sex.OTHER: "NonConforming",
    Sex.UNKNOWN: "NonSpecifiedUnknown",
}

_ACTUAL = "ActualVictimOfTrafficking"
_POSSIBLE = "PossibleVictimOfTrafficking"
TRAFFICKING_STATUS = {
    CaseStatus.REPORTED: _POSSIBLE,
    CaseStatus.RECEIVED: _POSSIBLE,
    CaseStatus.INITIAL_VERIFICATION: _POSSIBLE,
    CaseStatus.FURTHER_VERIFICATION: _POSSIBLE,
    CaseStatus.UNDETERMINED: _POSSIBLE,
    CaseStatus.IDENTIFIED: _ACTUAL,
    CaseStatus.RETURNED_HOME: _ACTUAL,
    CaseStatus.REINTEGRATION: _ACTUAL,
    CaseStatus.NOT_VICTIM: "NotAVictimOfTrafficking",
}

RECRUITMENT = {
    Recruitment.ONLINE_JOB_OFFER: "ThroughAnOnlineAdvertisement",
    Recruitment.SOCIAL_NETWORK: "ThroughOnlineSocialNetworks",
    Recruitment.ACQUAINTANCE: "ThroughFriendsOrSocialEvents",
    Recruitment.BROKER: "Other",
    Recruitment.ABDUCTION: "Other",
    Recruitment.OTHER: "Other",
    Recruitment.UNKNOWN: None,
}

EXPLOITATION = {str(key): value for key, value in HTCDS_EXPLOITATION.items()}

CASE_STATUS = {CaseStatus.CLOSED: "Closed", CaseStatus.REINTEGRATION: "FollowUp"}

T = AgencyType
ORGANISATION_TYPE = {
    T.COMMUNE_PEOPLES_COMMITTEE: "LocalGovernmentOrganisation",
    T.PROVINCIAL_PEOPLES_COMMITTEE: "LocalGovernmentOrganisation",
    T.DISTRICT_PEOPLES_COMMITTEE: "LocalGovernmentOrganisation",
    T.DEPARTMENT_OF_HEALTH: "LocalGovernmentOrganisation",
    T.PROVINCIAL_LABOUR_DEPARTMENT: "LocalGovernmentOrganisation",
    T.DISTRICT_LABOUR_OFFICE: "LocalGovernmentOrganisation",
    T.SUPPORT_FACILITY: "LocalGovernmentOrganisation",
    T.SOCIAL_WORK_CENTRE: "LocalGovernmentOrganisation",
    T.EMPLOYMENT_SERVICE: "LocalGovernmentOrganisation",
    T.COMMUNE_POLICE: "LawEnforcement",
    T.PROVINCIAL_POLICE: "LawEnforcement",
    T.DISTRICT_POLICE: "LawEnforcement",
    T.BORDER_GUARD: "LawEnforcement",
    T.COAST_GUARD: "LawEnforcement",
    T.MINISTRY: "CentralGovernmentOrganisation",
    T.MISSION_ABROAD: "CentralGovernmentOrganisation",
    T.STEERING_COMMITTEE: "CentralGovernmentOrganisation",
    T.LEGAL_AID: "LegalService",
    T.SCHOOL: "SchoolOrCollege",
    T.VOCATIONAL_TRAINING: "SchoolOrCollege",
    T.NGO: "NGO",
    # No HTCDS code for an international organisation, a mass organisation or the press: NGO is the nearest.
    T.INTERNATIONAL_ORGANISATION: "NGO",
    T.WOMENS_UNION: "NGO",
    T.YOUTH_UNION: "NGO",
    T.LABOUR_FEDERATION: "NGO",
    T.FARMERS_ASSOCIATION: "NGO",
    T.FATHERLAND_FRONT: "NGO",
    T.PRESS: "NGO",
}


def gender(sex: str) -> str:
    return GENDER.get(sex, "NonSpecifiedUnknown")


def trafficking_status(status: str, before_closing: str = "") -> str | None:
    """A closed case keeps the status it had before it was closed."""
    if status == CaseStatus.CLOSED:
        return TRAFFICKING_STATUS.get(before_closing)
    return TRAFFICKING_STATUS.get(status)


def recruitment(method: str) -> list[str]:
    code = RECRUITMENT.get(method)
    return [code] if code else []


def exploitation(forms) -> list[str]:
    codes: list[str] = []
    for form in forms or ():
        code = EXPLOITATION.get(form)
        if code and code not in codes:
            codes.append(code)
    return codes


def case_status(status: str) -> str:
    return CASE_STATUS.get(status, "Active")


def organisation_type(agency_type: str) -> str | None:
    return ORGANISATION_TYPE.get(agency_type)


def country(code: str) -> str | None:
    """ISO alpha-3 (stored) → alpha-2 (HTCDS)."""
    return alpha2(code) if code else None


def citizenship(nationality_class: str, nationality_country: str) -> list[str]:
    if nationality_class == "vn_citizen":
        return ["VN"]
    if nationality_class == "foreign":
        code = country(nationality_country)
        return [code] if code else []
    return []  # stateless: no citizenship
