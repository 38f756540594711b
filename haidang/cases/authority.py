"""Who may take each step of a case, as the law divides the work, and the one permission function.

Each step of the path (`workflow.TRANSITIONS`) and each decision recorded beside it (protection,
Form 07, support and shelter extensions) names an `Authority`: the capability the user's role must
give (`access.roles`) and the kinds of agency the law gives the step to, with the article. A user
may take the step through a membership whose role has the capability *and* whose agency is of one
of those kinds; a mission abroad only for the cases it handles (Art. 30(1)(a)).

`verdict` is the pure rule (role × agency type → allowed, and why); it reads no database, so the
whole grid is tested cell by cell (`tests/test_authority.py`). The service asks `verdict` for each
of the actor's memberships (`selectors.acting_memberships`) and refuses with the translated reason.

Sources: Law 53/2024/QH15 as amended by Law 86/2025/QH15 (VERIFY(law-86-scope); Art. 27–28 moved the first-line duties
from district to provincial bodies), Decree 162/2025/NĐ-CP; see legal-vn.md §2 and §6. Rows the
reference could not confirm are marked VERIFY and listed in LEGAL-VERIFY.md.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from haidang.access.models import AgencyType as A
from haidang.access.roles import Capability, Role, role_can


@dataclass(frozen=True)
class Authority:
    """Who may take a step: the capability, the kinds of agency, the legal basis."""

    capability: str
    agency_types: frozenset[str]
    article: str
    # Agency types that act only on the cases they handle (a mission abroad: its own cases).
    own_cases_only: frozenset[str] = frozenset()

    def who(self) -> str:
        """The kinds of agency, translated, for the refusal message and the pages."""
        names = []
        for agency_type in ORDER:
            if agency_type in self.agency_types:
                label = str(A(agency_type).label)
                if agency_type in self.own_cases_only:
                    label = _("%(agency)s (for the cases it handles)") % {"agency": label}
                names.append(label)
        return ", ".join(names)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reason: str


# The order in which agency kinds are named in messages.
ORDER = (
    A.COMMUNE_PEOPLES_COMMITTEE,
    A.COMMUNE_POLICE,
    A.DEPARTMENT_OF_HEALTH,
    A.PROVINCIAL_POLICE,
    A.BORDER_GUARD,
    A.COAST_GUARD,
    A.MISSION_ABROAD,
    A.SUPPORT_FACILITY,
    A.SOCIAL_WORK_CENTRE,
    A.PROVINCIAL_PEOPLES_COMMITTEE,
)
ORDER = (*ORDER, *(agency_type for agency_type in A.values if agency_type not in ORDER))

# --- The kinds of agency, grouped as the law names them -------------------------------------------

#: Art. 27(1) as amended: police, Border Guard, Coast Guard and any agency that receives a report
#: bring the person to the commune People's Committee, which receives them and notifies the
#: Department of Health; Art. 27(2): the Department of Health receives at once; Art. 30(1)(b): the
#: bodies of the Ministries of Public Security and Defence receive persons returning at the border;
#: Art. 30(1)(a): a mission receives abroad.
RECEIVERS = frozenset(
    {
        A.COMMUNE_PEOPLES_COMMITTEE,
        A.COMMUNE_POLICE,
        A.DEPARTMENT_OF_HEALTH,
        A.PROVINCIAL_POLICE,
        A.BORDER_GUARD,
        A.COAST_GUARD,
        A.MISSION_ABROAD,
    }
)
#: Art. 27(1)–(2) as amended: the commune People's Committee notifies the Department of Health,
#: which leads initial verification with provincial police; Art. 30(1)(b): the border bodies verify
#: persons returning; Art. 30(1)(a): a mission verifies abroad with the Ministry of Public Security.
NOTIFIERS = frozenset(
    {
        A.COMMUNE_PEOPLES_COMMITTEE,
        A.DEPARTMENT_OF_HEALTH,
        A.PROVINCIAL_POLICE,
        A.BORDER_GUARD,
        A.COAST_GUARD,
        A.MISSION_ABROAD,
    }
)
#: Art. 27(2) as amended (the Department of Health with provincial police) and Art. 30–33: the
#: border bodies of the Ministries of Public Security and Defence (Art. 30(1)(b)), the police
#: investigating a case (Art. 32(1)(a)) and a mission abroad for its cases (Art. 30(1)(a);
#: VERIFY(mission-identification): whether the mission confirms itself or asks the border bodies).
#: Not a commune: it receives and notifies, it does not verify or identify.
IDENTIFIERS = frozenset({A.DEPARTMENT_OF_HEALTH, A.PROVINCIAL_POLICE, A.BORDER_GUARD, A.COAST_GUARD, A.MISSION_ABROAD})
#: The return to the place of residence and what follows it: the Department of Health pays the
#: travel (Art. 37(1)(e)) and leads support (Decree 162), the facility where the person stayed hands
#: them over (Decree 162 Art. 17), and the commune of residence takes them back (Art. 27(1)).
RETURN_HANDLERS = frozenset(
    {A.DEPARTMENT_OF_HEALTH, A.SUPPORT_FACILITY, A.SOCIAL_WORK_CENTRE, A.COMMUNE_PEOPLES_COMMITTEE}
)
#: Reintegration in the community: the Department of Health (Form 07, Decree 162 Art. 24–25), the
#: commune of residence and the social work centres that follow the person up.
REINTEGRATION_HANDLERS = frozenset({A.DEPARTMENT_OF_HEALTH, A.COMMUNE_PEOPLES_COMMITTEE, A.SOCIAL_WORK_CENTRE})
#: Closing is not a legal act (legal-vn.md §2.8): the bodies that lead the case close it, the
#: Department of Health (support) and the commune that follows the person after return.
CLOSERS = frozenset({A.DEPARTMENT_OF_HEALTH, A.COMMUNE_PEOPLES_COMMITTEE})
#: Protection decisions: the competent bodies of Decree 162 Art. 13 (the list was not retrieved:
#: VERIFY(protection-deciders)): police, Border Guard, Coast Guard, the Department of Health for a
#: safe shelter, the People's Committees, a mission abroad for its citizens (Art. 54).
PROTECTION_DECIDERS = frozenset(
    {
        A.COMMUNE_POLICE,
        A.PROVINCIAL_POLICE,
        A.BORDER_GUARD,
        A.COAST_GUARD,
        A.DEPARTMENT_OF_HEALTH,
        A.COMMUNE_PEOPLES_COMMITTEE,
        A.PROVINCIAL_PEOPLES_COMMITTEE,
        A.MISSION_ABROAD,
    }
)
#: Extending shelter and essential needs past 120 days: the head of the social assistance facility,
#: the Department of Health or a competent body (Decree 162 Art. 17; which "competent body":
#: VERIFY(extension-deciders)).
EXTENSION_DECIDERS = frozenset({A.SUPPORT_FACILITY, A.SOCIAL_WORK_CENTRE, A.DEPARTMENT_OF_HEALTH})
#: Form 07 (schooling, vocational training, hardship allowance): the Department of Health decides
#: (Decree 162 Art. 24; National Public Service Portal procedure 112584).
FORM_07_DECIDERS = frozenset({A.DEPARTMENT_OF_HEALTH})
#: Who records a decision taken by another body (on paper) on the case: the agencies that handle cases.
CASE_HANDLERS = RECEIVERS | RETURN_HANDLERS | REINTEGRATION_HANDLERS

MISSION_ONLY_OWN = frozenset({A.MISSION_ABROAD})

RECEIVE = Authority(Capability.EDIT_CASES, RECEIVERS, "Art. 27(1), 28, 30(1) Law 53/2024/QH15", MISSION_ONLY_OWN)
NOTIFY = Authority(Capability.EDIT_CASES, NOTIFIERS, "Art. 27(1)–(2), 30(1) Law 53/2024/QH15", MISSION_ONLY_OWN)
CONTINUE_VERIFICATION = Authority(
    Capability.EDIT_CASES, IDENTIFIERS, "Art. 27(2) as amended, Art. 30(1) Law 53/2024/QH15", MISSION_ONLY_OWN
)
IDENTIFY = Authority(
    Capability.DECIDE_CASES, IDENTIFIERS, "Art. 27(2) as amended, Art. 30–33 Law 53/2024/QH15", MISSION_ONLY_OWN
)
RETURN_HOME = Authority(Capability.EDIT_CASES, RETURN_HANDLERS, "Art. 30(2), 37(1)(e) Law 53/2024; Decree 162 Art. 17")
REINTEGRATE = Authority(
    Capability.EDIT_CASES, REINTEGRATION_HANDLERS, "Art. 37(1)(h)–(k) Law 53/2024; Decree 162 Art. 24–25"
)
CLOSE = Authority(Capability.EDIT_CASES, CLOSERS, "No legal act: closure as legal-vn.md §2.8 recommends")
DECIDE_PROTECTION = Authority(Capability.EDIT_CASES, PROTECTION_DECIDERS, "Art. 34–35 Law 53/2024; Decree 162 Art. 13")
DECIDE_FORM_07 = Authority(Capability.DECIDE_CASES, FORM_07_DECIDERS, "Decree 162/2025 Art. 24; procedure 112584")
DECIDE_EXTENSION = Authority(Capability.EDIT_CASES, EXTENSION_DECIDERS, "Decree 162/2025/NĐ-CP Art. 17")
RECORD_DECISION = Authority(Capability.EDIT_CASES, CASE_HANDLERS, "Law 53/2024 Ch. IV–V (recording on the case)")

#: The decisions recorded beside the path: who may record them (`recorder`) and which kind of
#: agency may be named as the body that decided (`decider`).
DECISIONS: dict[str, tuple[Authority, Authority]] = {
    "protection": (RECORD_DECISION, DECIDE_PROTECTION),
    "form_07": (DECIDE_FORM_07, DECIDE_FORM_07),
    "support_extension": (RECORD_DECISION, DECIDE_EXTENSION),
    "shelter_extension": (RECORD_DECISION, DECIDE_EXTENSION),
}

STEP_REFUSED = gettext_lazy("This step is taken by: %(who)s (%(article)s).")


def verdict(authority: Authority, *, role: str, agency_type: str, own_case: bool = True) -> Verdict:
    """May a member of an agency of `agency_type` in `role` take a step with this authority?

    `own_case` says whether the case is one the agency handles (it received it, or it came through
    its channel); only mission abroad rows depend on it. Pure: no database.
    """
    who = authority.who()
    if not role_can(role, authority.capability):
        return Verdict(
            False,
            _("The role “%(role)s” cannot “%(capability)s”; this step is taken by: %(who)s (%(article)s).")
            % {
                "role": Role(role).label if role in Role.values else role,
                "capability": Capability(authority.capability).label,
                "who": who,
                "article": authority.article,
            },
        )
    if agency_type not in authority.agency_types:
        return Verdict(False, str(STEP_REFUSED) % {"who": who, "article": authority.article})
    if agency_type in authority.own_cases_only and not own_case:
        return Verdict(
            False,
            _("%(agency)s acts only on the cases it handles (%(article)s).")
            % {"agency": A(agency_type).label, "article": authority.article},
        )
    return Verdict(
        True, _("Allowed to %(agency)s (%(article)s).") % {"agency": A(agency_type).label, "article": authority.article}
    )
