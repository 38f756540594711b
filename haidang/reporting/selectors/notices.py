"""A user's own notices: nobody ever reads another's."""

from django.db.models import QuerySet

from haidang.common.queries import Later, counts
from haidang.reporting.models import Notification


def notifications_for(user) -> QuerySet[Notification]:
    """The user's own notices, newest first; nobody ever reads another's."""
    if user is None or not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(user=user).order_by("-created_at", "-pk")


def unread_notification_count(user) -> int:
    """One COUNT on the (user, read_at, created_at) index; the menu asks it on every page, so its
    statement is kept compiled per user (`common.queries.statement`: the user is all it is made of)."""
    if user is None or not user.is_authenticated:
        return 0
    unread = Later(Notification, lambda: Notification.objects.filter(user=user, read_at__isnull=True))
    return counts(key=("unread-notices", user.pk), n=unread)["n"]
