"""Reading the audit log: who may see which entries, and the auditor's filters."""

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from haidang.access.models import User
from haidang.access.roles import Capability, Role
from haidang.access.scope import scope_for
from haidang.audit.models import AuditEntry
from haidang.common.dates import DayError, parse_day
from haidang.places.territory import Territory


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


_TIME = re.compile(r"^(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?$")


def parse_moment(text: str) -> Moment | None:
    """A day as the forms read it (`common.dates.parse_day`: '31/12/2025', '31-12-2025', '2025-12-31', …),
    optionally with a time ('31/12/2025 14:05'), or an ISO 8601 moment ('2025-12-31T14:05:00+07:00').

    A day means the whole day, a minute the whole minute, in the site's time zone unless the text names
    an offset. None when the text is not one (31/11/2023); `moment_error` says what is wrong.
    """
    try:
        return _moment(text)
    except (DayError, ValueError):
        return None


def moment_error(text: str) -> str:
    """What is wrong with a text that `parse_moment` refuses, in words ("" when it is a moment)."""
    try:
        _moment(text)
    except DayError as error:
        return error.message
    except ValueError:
        return ""
    return ""


def _moment(text: str) -> Moment:
    text = " ".join((text or "").split())
    if "T" in text and text[:4].isdigit():
        moment = datetime.fromisoformat(text)  # ISO 8601 with a time, perhaps an offset
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        return Moment(moment, moment + timedelta(microseconds=1))
    day_text, _sep, time_text = text.partition(" ")
    day = parse_day(day_text)
    if not time_text:
        start = timezone.make_aware(datetime.combine(day, time.min))
        return Moment(start, start + timedelta(days=1))
    found = _TIME.match(time_text)
    if found is None:
        raise ValueError(time_text)
    second = found["second"]
    start = timezone.make_aware(datetime.combine(day, time(int(found["hour"]), int(found["minute"]), int(second or 0))))
    return Moment(start, start + (timedelta(seconds=1) if second is not None else timedelta(minutes=1)))


def filter_entries(
    queryset: QuerySet[AuditEntry],
    *,
    user: str = "",
    territory: Territory | None = None,
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
    if territory is not None:
        queryset = queryset.filter(territory.q("unit"))
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


def role_labels(codes: str) -> str:
    """Recorded role codes in words ("Auditor, Case worker"); a code no longer known is shown as it is."""
    labels = dict(Role.choices)
    return ", ".join(str(labels.get(code, code)) for code in codes.split(",") if code)
