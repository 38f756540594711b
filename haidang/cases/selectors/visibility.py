"""Which cases a user may see and how: the scope of cases, identities shown or masked, the person as seen."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import (
    BooleanField,
    ExpressionWrapper,
    Q,
    QuerySet,
)
from django.utils import timezone

from haidang.access.roles import Capability
from haidang.access.scope import scope_for
from haidang.audit.services import record_event
from haidang.cases.models import (
    Case,
    CaseAccessGrant,
    Person,
)
from haidang.common import shared

MASK = "•••"


def cases_visible_to(user) -> QuerySet[Case]:
    """The cases the user may see, with their unit, agency, province and assignee (not the person).

    The person is left out so that a list which shows no identity opens no sealed value: add
    `select_related("person")` (or `with_person`) where the person is shown.
    """
    base = Case.objects.select_related("unit", "agency", "province", "assigned_to")
    if user is None or not user.is_authenticated:
        return base.none()
    granted = live_grants(user)
    # Built once per request (kept on the user object, like the scope) and cloned for each use:
    # resolving the scope's condition cost as much as compiling the statement, on every list of a page.
    # Built again when the live grants differ (one made or run out since).
    built = getattr(user, "_haidang_visible_cases", None)
    if built is not None and built[0] == granted:
        return built[1].all()
    # Widened by an explicit assignment (a condition of the main query, served by the assignee
    # index) and by the live break-the-glass grants, read first as a short list of ids, so the
    # query is `unit_id IN (...) OR assigned_to_id = u OR id IN (...)`: a BitmapOr of index scans.
    widen = [Q(assigned_to=user)]
    if granted:
        widen.append(Q(pk__in=granted))
    visible = scope_for(user).filter(base, Capability.VIEW_CASES, widen=widen)
    user._haidang_visible_cases = (granted, visible)  # only ever handed out as clones after this call
    return visible


def visible_key(user) -> tuple:
    """What the condition of `cases_visible_to(user)` is made of, to name a statement built on it that is
    kept compiled (`common.queries.statement`): the reader, the scope's units (the object kept per map and
    memberships version, `Scope.units`) and the live grants."""
    return (getattr(user, "pk", None), scope_for(user).units(Capability.VIEW_CASES), tuple(live_grants(user)))


def live_grants(user) -> list:
    """Ids of the cases the user opened by break-the-glass and may still see: read once per request
    (kept on the user object, like the scope), however many lists the page shows."""
    grants = getattr(user, "_haidang_case_grants", None)
    now = timezone.now()
    if grants is None:
        # Every grant still running, kept in the process until a grant is made anywhere (they are
        # rare); whether each has expired is decided at each call, against the clock.
        grants = shared.cached(shared.GRANTS, ("grants", user.pk), lambda: _running_grants(user, now))
        user._haidang_case_grants = grants
    return sorted({case_id for case_id, expires_at in grants if expires_at > now}, key=str)


def _running_grants(user, now) -> tuple:
    return tuple(
        CaseAccessGrant.objects.filter(user=user, expires_at__gt=now).order_by().values_list("case_id", "expires_at")
    )


def forget_grants(user) -> None:
    """After a grant is made: the next read sees it."""
    # Through attributes, not `user.__dict__`: request.user is a lazy proxy whose own __dict__ is not the user's.
    for name in ("_haidang_case_grants", "_haidang_visible_cases"):
        if hasattr(user, name):
            delattr(user, name)


def get_case_for_user(user, case_id, *, purpose: str = "view") -> Case | None:
    """The case (with its person) if the user may see it, else None (answer 404); the read is audited."""
    try:
        case = cases_visible_to(user).select_related("person").filter(pk=case_id).first()
    except ValidationError:  # not a UUID
        return None
    if case is not None:
        record_event(
            action="cases.case_viewed",
            actor=user,
            target=case,
            unit=case.unit,
            changes={"purpose": purpose, "identities_shown": can_see_identity(user, case)},
        )
    return case


def can_see_identity(user, case: Case) -> bool:
    return shows_identity(user, case.unit.scope_path, case.assigned_to_id)


def shows_identity(user, unit_scope_path: str, assigned_to_id) -> bool:
    """`can_see_identity` from the case's unit path and assignee alone (for lists read as values)."""
    return identity_rule(user)(unit_scope_path, assigned_to_id)


def identity_rule(user):
    """`shows_identity` for one reader as a function of (unit path, assignee): the scope is read once for a list."""
    scope = scope_for(user)
    paths = tuple(scope.paths_for(Capability.VIEW_IDENTITY))
    # An assigned case worker needs the identity to do the work.
    assignee = getattr(user, "pk", None) if scope.can(Capability.VIEW_IDENTITY) else None

    def shows(unit_scope_path: str, assigned_to_id) -> bool:
        return unit_scope_path.startswith(paths) or (assignee is not None and assigned_to_id == assignee)

    return shows


def can_edit_case(user, case: Case) -> bool:
    scope = scope_for(user)
    return scope.covers_unit(case.unit, Capability.EDIT_CASES) or (
        case.assigned_to_id == getattr(user, "pk", None) and scope.can(Capability.EDIT_CASES)
    )


def can_decide_transfer(user, transfer) -> bool:
    return scope_for(user).covers_unit(transfer.to_unit, Capability.EDIT_CASES)


@dataclass(frozen=True)
class PersonView:
    """What a reader may see of a person: identifying fields masked unless allowed."""

    id: str
    full_name: str
    other_names: str
    document_number: str
    address: str
    contacts: str
    sex: str
    birth_year: int | None
    nationality_class: str
    identities_shown: bool


# The person's sealed (encrypted) fields: a masked reader needs only to know whether each is filled.
SEALED_PERSON_FIELDS = ("full_name", "other_names", "document_number", "address", "contacts")


def with_person(queryset: QuerySet[Case], user) -> QuerySet[Case]:
    """`queryset` with each case's person, for a list that shows the person (masked or not).

    When the user's role shows identities nowhere, the sealed fields are left unread (nothing is
    decrypted) and each case carries `person_has_<field>` instead, which `case_person_view` uses.
    """
    queryset = queryset.select_related("person")
    if scope_for(user).can(Capability.VIEW_IDENTITY):
        return queryset
    filled = {
        f"person_has_{name}": ExpressionWrapper(~Q(**{f"person__{name}": ""}), output_field=BooleanField())
        for name in SEALED_PERSON_FIELDS
    }
    return queryset.defer(*(f"person__{name}" for name in SEALED_PERSON_FIELDS)).annotate(**filled)


def mask(value: str) -> str:
    return MASK if value else ""


def person_view(person: Person, *, show_identity: bool, filled: dict[str, bool] | None = None) -> PersonView:
    """The person as this reader may see them; `filled` ({field: bool}) spares a masked read of sealed fields."""
    if show_identity:
        reveal = {name: getattr(person, name) for name in SEALED_PERSON_FIELDS}
    elif filled is not None:
        reveal = {name: MASK if filled[name] else "" for name in SEALED_PERSON_FIELDS}
    else:
        reveal = {name: mask(getattr(person, name)) for name in SEALED_PERSON_FIELDS}
    return PersonView(
        id=str(person.pk),
        **reveal,
        sex=person.sex,
        birth_year=person.birth_year,
        nationality_class=person.nationality_class,
        identities_shown=show_identity,
    )


def case_person_view(user, case: Case) -> PersonView:
    """The case's person for `user`: identities only where the role shows them for this case."""
    show = can_see_identity(user, case)
    filled = None
    if not show and hasattr(case, "person_has_full_name"):
        filled = {name: getattr(case, f"person_has_{name}") for name in SEALED_PERSON_FIELDS}
    return person_view(case.person, show_identity=show, filled=filled)


# A case of a list as plain values (`case_list`): the case's own columns, then its unit, agency,
# assignee and person; a reader who sees identities nowhere reads `person_has_<field>` instead of
# the sealed fields.
