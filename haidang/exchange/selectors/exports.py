"""Reads for exports: the exports a user may see, the cases an export may hold, the partners to choose."""

from django.db.models import Q, QuerySet
from django.http import Http404

from haidang.access.models import Agency
from haidang.access.roles import Capability
from haidang.access.scope import scope_for
from haidang.cases.models import Case
from haidang.cases.selectors import cases_visible_to
from haidang.exchange.models import Export


def exports_visible_to(user) -> QuerySet[Export]:
    """Exports of the user's area (to whoever may export there) and the user's own."""
    base = Export.objects.select_related("recipient", "unit", "requested_by", "approved_by")
    if user is None or not user.is_authenticated:
        return base.none()
    return scope_for(user).filter(base, Capability.IMPORT_EXPORT, widen=[Q(requested_by=user)])


def get_export_for_user(user, export_id) -> Export:
    export = exports_visible_to(user).filter(pk=export_id).first()
    if export is None:
        raise Http404
    return export


def exportable_cases(user) -> QuerySet[Case]:
    """The cases an export by `user` may hold: those the user sees, in the area where the user may export."""
    return scope_for(user).filter(cases_visible_to(user), Capability.IMPORT_EXPORT)


def recipients() -> QuerySet[Agency]:
    """Agencies an export may go to (any active agency: partners are named, not scoped)."""
    return Agency.objects.filter(is_active=True).select_related("unit").order_by("name")
