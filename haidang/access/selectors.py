"""Scoped reads for agencies, users and memberships. Pages and the API start here."""

from django.db.models import Q, QuerySet

from haidang.access.models import Agency, Membership, User
from haidang.access.roles import Capability
from haidang.access.scope import scope_for
from haidang.common.text import fold
from haidang.places.models import AdministrativeUnit
from haidang.places.territory import Territory


def _ancestor_ids(paths: list[str]) -> set[int]:
    ids: set[int] = set()
    for path in paths:
        ids.update(int(part) for part in path.strip("/").split("/") if part)
    return ids


def agencies_visible_to(user) -> QuerySet[Agency]:
    """Agencies in the user's subtree, plus those at the units above it (whom they report to)."""
    scope = scope_for(user)
    base = Agency.objects.select_related("unit", "parent").order_by("unit__level", "name")
    if not scope.can(Capability.VIEW_AGENCIES):
        return base.none()
    paths = scope.paths_for(Capability.VIEW_AGENCIES)
    return scope.filter(base, Capability.VIEW_AGENCIES, widen=Q(unit_id__in=_ancestor_ids(paths)))


def get_agency_for_user(user, agency_id) -> Agency | None:
    return agencies_visible_to(user).filter(pk=agency_id).first()


def filter_agencies(
    queryset: QuerySet[Agency], *, q: str = "", agency_type: str = "", territory: Territory | None = None
) -> QuerySet:
    if agency_type:
        queryset = queryset.filter(agency_type=agency_type)
    if territory is not None:  # the one territory rule: agencies of the unit, of the units below, placed in it
        queryset = queryset.filter(territory.q("unit"))
    if q:
        folded = fold(q)
        # Names are few per scope; folding in Python keeps "uy ban" finding "Ủy ban" on any database.
        ids = [
            pk
            for pk, name, short_name in queryset.values_list("pk", "name", "short_name")
            if folded in fold(name) or folded in fold(short_name)
        ]
        queryset = queryset.filter(pk__in=ids)
    return queryset


def users_visible_to(user) -> QuerySet[User]:
    scope = scope_for(user)
    if not scope.can(Capability.MANAGE_USERS):
        return User.objects.filter(pk=user.pk) if user.is_authenticated else User.objects.none()
    return User.objects.order_by("username")


def get_user_for_admin(user, user_id) -> User | None:
    return users_visible_to(user).filter(pk=user_id).first()


def memberships_of(user) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user, is_active=True)
        .select_related("agency", "unit", "unit__parent")
        .order_by("created_at")
    )


def scope_units(user) -> list[AdministrativeUnit]:
    """The units at the top of the user's scope, for the home page."""
    scope = scope_for(user)
    unit_ids = {entry.unit_id for entry in scope.entries}
    return list(AdministrativeUnit.objects.filter(pk__in=unit_ids).select_related("parent").order_by("level", "name"))
