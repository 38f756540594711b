"""Scoped reads of the criminal proceedings register. Every page and API call starts here.

The register is police work: it is visible to roles that record proceedings, over their unit's
subtree (old units placed through the crosswalk). Holders of statistics rights alone (analysts,
coordinators) never see it; they get aggregates from `haidang.statistics.query`. Suspects'
identities are shown only to roles that see identities over the case's unit, and every read
that shows them is audited. Linked victims are shown only when the reader may see the victim
case itself; the others are counted.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet

from haidang.access.models import Agency, AgencyType
from haidang.access.roles import Capability
from haidang.access.scope import scope_for
from haidang.audit.services import record_event
from haidang.cases.matching import document_key, name_key
from haidang.cases.selectors import cases_visible_to
from haidang.places.territory import Territory
from haidang.proceedings.models import CriminalCase, Suspect

VIEW = Capability.MANAGE_PROCEEDINGS
MASK = "•••"
INVESTIGATING_TYPES = (
    AgencyType.PROVINCIAL_POLICE,
    AgencyType.COMMUNE_POLICE,
    AgencyType.BORDER_GUARD,
    AgencyType.COAST_GUARD,
    AgencyType.MINISTRY,
)


def criminal_cases_visible_to(user) -> QuerySet[CriminalCase]:
    base = CriminalCase.objects.select_related("unit", "unit__placement", "investigating_agency").annotate(
        suspect_count=Count("suspects", distinct=True)
    )
    return scope_for(user).filter(base, VIEW)


def get_criminal_case_for_user(user, criminal_case_id) -> CriminalCase | None:
    """The criminal case if the user may see it, else None (answer 404)."""
    try:
        return criminal_cases_visible_to(user).filter(pk=criminal_case_id).first()
    except ValidationError:  # not a UUID
        return None


def can_edit_criminal_case(user, criminal_case: CriminalCase) -> bool:
    return scope_for(user).covers_unit(criminal_case.unit, VIEW)


def can_see_suspect_identity(user, criminal_case: CriminalCase) -> bool:
    return scope_for(user).covers_unit(criminal_case.unit, Capability.VIEW_IDENTITY)


def investigating_agencies_for(user) -> QuerySet[Agency]:
    """Police, Border Guard and Coast Guard agencies in the user's area that can investigate."""
    base = Agency.objects.filter(is_active=True, agency_type__in=INVESTIGATING_TYPES).select_related("unit")
    return scope_for(user).filter(base, VIEW).order_by("unit__level", "name")


def filter_criminal_cases(
    queryset: QuerySet,
    *,
    article: str = "",
    detected_from=None,
    detected_to=None,
    territory: Territory | None = None,
    prosecuted: bool | None = None,
    number: str = "",
) -> QuerySet:
    if article:
        queryset = queryset.filter(article=article)
    if detected_from is not None:
        queryset = queryset.filter(detected_on__gte=detected_from)
    if detected_to is not None:
        queryset = queryset.filter(detected_on__lte=detected_to)
    if territory is not None:
        queryset = queryset.filter(territory.q("unit"))
    if prosecuted is True:
        queryset = queryset.filter(prosecution_opened_on__isnull=False)
    elif prosecuted is False:
        queryset = queryset.filter(prosecution_opened_on__isnull=True)
    if number:
        queryset = queryset.filter(number__icontains=number)
    return queryset


@dataclass(frozen=True)
class SuspectView:
    """What a reader may see of a suspect: the identifying fields masked unless allowed."""

    suspect: Suspect
    full_name: str
    document_number: str
    address: str
    identities_shown: bool


def _mask(value: str) -> str:
    return MASK if value else ""


def suspect_views(user, criminal_case: CriminalCase, *, purpose: str = "view") -> list[SuspectView]:
    """The case's suspects as the user may see them; a read that shows identities is audited."""
    suspects = list(criminal_case.suspects.all())
    shown = can_see_suspect_identity(user, criminal_case)
    if shown and suspects:
        record_event(
            action="proceedings.suspects_viewed",
            actor=user,
            target=criminal_case,
            unit=criminal_case.unit,
            changes={"purpose": purpose, "suspects": [str(s.pk) for s in suspects]},
        )
    reveal = (lambda value: value) if shown else _mask
    return [
        SuspectView(
            suspect=s,
            full_name=reveal(s.full_name),
            document_number=reveal(s.document_number),
            address=reveal(s.address),
            identities_shown=shown,
        )
        for s in suspects
    ]


def get_suspect(criminal_case: CriminalCase, suspect_id) -> Suspect | None:
    try:
        return criminal_case.suspects.filter(pk=suspect_id).first()
    except ValidationError:
        return None


@dataclass(frozen=True)
class LinkedVictims:
    visible: list  # cases.Case the reader may see
    hidden: int  # linked cases the reader may not see


def linked_victims(user, criminal_case: CriminalCase) -> LinkedVictims:
    linked = criminal_case.victim_links.values("case_id")
    visible = list(
        cases_visible_to(user)
        .select_related(None)
        .select_related("unit")
        .filter(pk__in=linked)
        .order_by("reception_date", "number")
    )
    total = criminal_case.victim_links.count()
    return LinkedVictims(visible=visible, hidden=total - len(visible))


def linkable_case(user, number: str):
    """The victim case with this number if the user may see it, else None."""
    return cases_visible_to(user).select_related(None).select_related("unit").filter(number=number.strip()).first()


@dataclass(frozen=True)
class SuspectMatch:
    """A suspect already recorded who may be the person of an import row: which suspect, in which case,
    and why ("document", or "name" with the same year of birth). Never the suspect's sealed values."""

    suspect_id: object
    criminal_case: CriminalCase
    reason: str


def suspect_matches(user, *, full_name: str, document_number: str = "", birth_year: int | None = None):
    """Suspects in the criminal cases the user may see with the same identity document (keyed hash), or
    the same name in any spelling or word order (keyed hash) and the same year of birth; document
    matches first. A suspect known only outside the user's scope is not mentioned at all (the rule of
    `cases.selectors.person_matches`)."""
    document = document_key(document_number) if document_number else ""
    name = name_key(full_name) if full_name and birth_year else ""
    condition = Q()
    if document:
        condition |= Q(document_hash=document)
    if name:
        condition |= Q(name_key=name, birth_year=birth_year)
    if not condition:
        return []
    visible = scope_for(user).filter(CriminalCase.objects.all(), VIEW).values("pk")
    found = (
        Suspect.objects.filter(condition, criminal_case__in=visible)
        .select_related("criminal_case", "criminal_case__investigating_agency")
        .only("pk", "document_hash", "criminal_case")
        .order_by("criminal_case__detected_on", "pk")[:20]
    )
    matches = [
        SuspectMatch(s.pk, s.criminal_case, "document" if document and s.document_hash == document else "name")
        for s in found
    ]
    return sorted(matches, key=lambda match: match.reason != "document")
