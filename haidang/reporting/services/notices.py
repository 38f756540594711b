"""Notices read: a user marks one notice, or all of theirs, read (notices are sent by
`reporting.notices.notify`)."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from haidang.reporting.models import Notification


@transaction.atomic
def mark_notification_read(*, actor, notification: Notification) -> Notification:
    if notification.user_id != actor.pk:
        raise PermissionDenied
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def mark_all_notifications_read(*, actor) -> int:
    """Mark every unread notice of `actor` read; returns how many changed."""
    return Notification.objects.filter(user=actor, read_at__isnull=True).update(read_at=timezone.now())
