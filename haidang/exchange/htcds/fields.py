"""Which HTCDS v2 fields each audience receives, in order, and where each comes from.

Keys are used exactly as HTCDS spells them (`prefix_FieldName`); what HTCDS has no field for (identifiers,
the registration date, a birth year alone, the unit codes) goes in `x_` fields, as HTCDS §7 advises. Every
field of `htcds-fields.json` that is not produced is in `ABSENT` with the reason (the table in
`docs/htcds-mapping.md` is written from it).
"""

# Fields holding several codes: a JSON array, or codes joined by ";" in CSV.
MULTI = frozenset({"prs_Citizenship", "vic_MethodOfRecruitment", "vic_TypeOfExploitation"})

# Project field → HTCDS key, for the case exchange with a named partner (identifiable, consent-gated).
PARTNER_SOURCES = {
    "x_case_id": "Case.id",
    "x_case_number": "Case.number",
    "x_registered_on": "Case.reception_date (ISO 8601)",
    "x_legal_regime": "Case.legal_regime (2011 / 2024)",
    "x_intake_channel": "Case.intake_channel",
    "prs_FirstName": "Person.full_name (sealed): the last word (họ – đệm – tên)",
    "prs_MiddleName": "Person.full_name (sealed): the words between",
    "prs_SecondName": "Person.full_name (sealed): the first word (family name)",
    "prs_Birthdate": "Person.birth_date (ISO 8601)",
    "x_birth_year": "Person.birth_year when no full date is known",
    "prs_Gender": "Person.sex → Gender",
    "prs_Citizenship": "Person.nationality_class + nationality_country (alpha-3 → alpha-2)",
    "prs_MailingStreet": "Person.address (sealed)",
    "prs_MailingCity": "Person.residence_unit: the commune or ward as recorded",
    "prs_MailingState": "the province of the residence unit on today's map (crosswalk)",
    "prs_MailingCountry": "VN when a residence unit is recorded",
    "x_residence_unit_code": "Person.residence_unit.code (GSO), on the map of the record",
    "x_residence_unit_today_code": "the commune or ward the residence unit is placed in today",
    "vic_TraffickingStatus": "Case.status → TraffickingStatus (a closed case: the status before closing)",
    "vic_MethodOfRecruitment": "Case.recruitment_method → MethodOfRecruitment",
    "vic_TypeOfExploitation": "Case.exploitation_forms → TypeOfExploitation",
    "hte_Type": "Exploitation, for the country of exploitation",
    "hte_Country": "Case.destination_country, else found_country (alpha-2)",
    "cas_Status": "Case.status → CaseStatus",
    "con_Consent": "true: only cases whose consent covers the recipient and the purpose are exported",
}
PARTNER_COLUMNS = tuple(PARTNER_SOURCES)

# The pseudonymised research extract: no direct identifier, dates to the month, ages in bands.
RESEARCH_SOURCES = {
    "x_pseudonym": "HMAC-SHA256(export pseudonym key, recipient, case): stable per recipient",
    "x_registered_month": "Case.reception_date to the month (YYYY-MM), or the year when generalised",
    "x_age_band": "age at reception in CTDC's bands (0–8, 9–17, 18–20, …, 48+), or minor/adult when generalised",
    "prs_Gender": "Person.sex → Gender",
    "prs_Citizenship": "Person.nationality_class + nationality_country (alpha-2)",
    "prs_MailingState": "the province of residence on today's map, or empty when generalised",
    "prs_MailingCountry": "VN when a residence unit is recorded",
    "vic_TraffickingStatus": "Case.status → TraffickingStatus",
    "vic_MethodOfRecruitment": "Case.recruitment_method → MethodOfRecruitment",
    "vic_TypeOfExploitation": "Case.exploitation_forms → TypeOfExploitation",
    "hte_Type": "Exploitation",
    "hte_Country": "country of exploitation (alpha-2)",
    "cas_Status": "Case.status → CaseStatus",
}
RESEARCH_COLUMNS = tuple(RESEARCH_SOURCES)
# The quasi-identifiers k-anonymity is measured over.
QUASI_IDENTIFIERS = (
    "x_registered_month",
    "x_age_band",
    "prs_Gender",
    "prs_Citizenship",
    "prs_MailingState",
    "hte_Country",
)

_NOT_HELD = "not held anywhere in the project"
_DROPPED = "direct identifier: not sent even to a partner (data minimisation)"
_FREE = "free text: narratives name people and places"
ABSENT = {
    "org_Name": "the sending agency is named in the JSON header, not per record",
    "org_ShippingCity": "agencies have no postal address; the unit is in the header",
    "org_ShippingCountry": "always VN; in the JSON header",
    "org_ShippingState": "in the JSON header (province of the agency)",
    "org_ShippingStreet": _NOT_HELD,
    "org_ShippingPostalCode": _NOT_HELD,
    "org_ShippingLongitude": _NOT_HELD,
    "org_ShippingLatitude": _NOT_HELD,
    "org_Phone": _NOT_HELD,
    "org_Type": "in the JSON header (the sending agency's type → OrganisationType)",
    "prs_Salutation": "not used in Vietnamese records",
    "prs_Deceased": _NOT_HELD,
    "prs_MaritalStatus": _NOT_HELD,
    "prs_NumberOfChildren": "only accompanying children are recorded, not all children",
    "prs_PrimaryLanguage": "languages are free text without ISO 639-2 codes",
    "prs_SecondaryLanguage": "languages are free text without ISO 639-2 codes",
    "prs_HighestLevelOfEducation": _NOT_HELD,
    "prs_IdentityNumber": _DROPPED,
    "prs_Title": _NOT_HELD,
    "prs_Email": "contacts are one sealed free-text field; extraction would be a guess",
    "prs_HomePhone": "contacts are one sealed free-text field; extraction would be a guess",
    "prs_MobilePhone": "contacts are one sealed free-text field; extraction would be a guess",
    "prs_MailingPostalCode": _NOT_HELD,
    "prs_MailingLongitude": _NOT_HELD,
    "prs_MailingLatitude": _NOT_HELD,
    "vic_AgreementToManagePersonalData": "deprecated in HTCDS 2.0; con_Consent is sent",
    "vic_TraffickingStatusDecisionMakingOrg": "the issuer of the identification is free text, not a code",
    "vic_RelationshipToTrafficker": "'acquaintance, friend or relative' cannot be split into HTCDS's codes",
    "vic_AgeWhenTrafficked": "no date of recruitment or trafficking is recorded",
    "vic_RecruitmentWebsitesAndApps": "no platform is recorded",
    "vic_LocationOfRecruitment": "no place of recruitment is recorded",
    "vic_MethodsOfControl": _NOT_HELD,
    "vic_ForcedLabourIndustry": "no ISIC industry is recorded",
    "vic_TypeOfSexExploitation": _NOT_HELD,
    "vic_LocationOfExploitation": "a lookup to an Organisation; the country is sent as an hte_ event instead",
    "vic_ExploitationWebsitesAndApps": _NOT_HELD,
    "vic_Vulnerabilities": "deprecated in HTCDS 2.0",
    "vic_DetailsOfVulnerabilities": "deprecated in HTCDS 2.0",
    "per_RoleInProcess": "suspects belong to criminal cases (proceedings), not to the victim's record",
    "per_RoleDetails": _FREE,
    "per_Organisation": "a bare row in HTCDS",
    "cas_ReasonForCaseClosure": _FREE,
    "cas_CaseOwner": "a staff member: dropped for external sharing (HTCDS §7.3)",
    "cas_ReferringOrganisation": "only transfers between units are recorded; sent with the transfers, not here",
    "cas_IncomingReferralDate": "as above",
    "cas_ReferringPrimaryCaseWorker": "a staff member: dropped",
    "cas_ReasonForIncomingReferral": "as cas_ReferringOrganisation",
    "cas_IncomingReferralDetails": _FREE,
    "cas_ReferredOrganisation": "several referrals per case; HTCDS holds one: not sent in the flat file",
    "cas_ReferredPrimaryCaseWorker": "referrals name an agency only",
    "cas_ReasonForOutgoingReferral": "as cas_ReferredOrganisation",
    "cas_OutgoingReferralDate": "as cas_ReferredOrganisation",
    "cas_OutgoingReferralDetails": _FREE,
    "cco_CaseComment": _FREE,
    "hte_Longitude": _NOT_HELD,
    "hte_Latitude": _NOT_HELD,
    "hte_City": _NOT_HELD,
    "hte_State": _NOT_HELD,
    "hte_Street": _NOT_HELD,
    "hte_PostalCode": _NOT_HELD,
    "hte_Date": "no date of exploitation is recorded",
    "hte_Description": _FREE,
    "spl_Objectives": "no support-plan entity; support is recorded as delivered items",
    "spl_ActionPlan": "as spl_Objectives",
    "spl_PlannedEndDate": "as spl_Objectives",
    "spl_ActualEndDate": "as spl_Objectives",
    "spl_Type": "as spl_Objectives",
}
