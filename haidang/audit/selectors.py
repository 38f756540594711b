"""Reading the audit log: who may see which entries, and the auditor's filters."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from haidang.access.models import User
from haidang.access.roles import Capability, Role
from haidang.access.scope import scope_for
from haidang.audit.models import AuditEntry
from haidang.places.models import AdministrativeUnit


def _is_national(path: str) -> bool:
    return path.strip("/").count("/") == 0


def entries_visible_to(user) -> QuerySet[AuditEntry]:
    """Newest first. A national auditor sees the whole log; a provincial one, their units' entries."""
    scope = scope_for(user)
    base = AuditEntry.objects.select_related("unit").order_by("-id")
    if not scope.can(Capability.VIEW_AUDIT):
        return base.none()
    if any(_is_national(path) for path in scope.paths_for(Capability.VIEW_AUDIT)):
        return base
    return scope.filter(base, Capability.VIEW_AUDIT)


@dataclass(frozen=True)
class Moment:
    """A typed-in date or time, as the half-open interval [start, end) it names."""

    start: datetime
    end: datetime


_FORMATS = (
    ("%d/%m/%Y %H:%M:%S", timedelta(seconds=1)),
    ("%d/%m/%Y %H:%M", timedelta(minutes=1)),
    ("%d/%m/%Y", timedelta(days=1)),
)


def parse_moment(text: str) -> Moment | None:
    """'31/12/2025', '31/12/2025 14:05', or ISO 8601 ('2025-12-31', '2025-12-31T14:05:00+07:00').

    A day means the whole day, a minute the whole minute, in the site's time zone unless the
    text names an offset. None when the text is not a real date (31/11/2023).
    """
    text = (text or "").strip()
    for fmt, length in _FORMATS:
        try:
            start = datetime.strptime(text, fmt)  # noqa: DTZ007 (made aware just below)
        except ValueError:
            continue
        start = timezone.make_aware(start)
        return Moment(start, start + length)
    try:
        day = date.fromisoformat(text)
    except ValueError:
        pass
    else:
        start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
        return Moment(start, start + timedelta(days=1))
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return Moment(moment, moment + timedelta(microseconds=1))


def filter_entries(
    queryset: QuerySet[AuditEntry],
    *,
    user: str = "",
    unit: str = "",
    object_type: str = "",
    object_id: str = "",
    action: str = "",
    since: Moment | None = None,
    until: Moment | None = None,
) -> QuerySet[AuditEntry]:
    if user:
        # The name at the time (kept in the entry) or the account's present name after a rename.
        ids = list(User.objects.filter(username=user).values_list("pk", flat=True))
        queryset = queryset.filter(Q(actor_username=user) | Q(actor_id__in=ids))
    if unit:
        queryset = queryset.filter(_unit_q(unit))
    if object_type:
        queryset = queryset.filter(object_type=object_type)
    if object_id:
        queryset = queryset.filter(object_id=object_id)
    if action:
        # "cases." asks for every action of the cases app.
        lookup = "action__startswith" if action.endswith(".") else "action"
        queryset = queryset.filter(**{lookup: action})
    if since is not None:
        queryset = queryset.filter(occurred_at__gte=since.start)
    if until is not None:
        queryset = queryset.filter(occurred_at__lt=until.end)
    return queryset


def _unit_q(code: str) -> Q:
    """Entries at the unit with this code or below it, on either map, and old units placed inside it."""
    condition = Q(unit_code=code)
    for path in AdministrativeUnit.objects.filter(code=code).values_list("path", flat=True):
        condition |= Q(unit__path__startswith=path) | Q(unit__placement_path__startswith=path)
    return condition


def role_labels(codes: str) -> str:
    """Recorded role codes in words ("Auditor, Case worker"); a code no longer known is shown as it is."""
    labels = dict(Role.choices)
    return ", ".join(str(labels.get(code, code)) for code in codes.split(",") if code)
