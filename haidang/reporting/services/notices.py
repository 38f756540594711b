"""Notices: in-application notifications to users, and an e-mail to each after commit."""

from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from haidang.reporting.models import Notification


def notify(users, *, kind: str, title: str, body: str = "", url: str = "", report=None, email: bool = True) -> list:
    """In-application notices to `users`, and an e-mail to each who has an address, after commit."""
    users = list(users)
    now = timezone.now()
    notices = Notification.objects.bulk_create(
        Notification(user=user, kind=kind, title=title[:255], body=body, url=url, report=report, created_at=now)
        for user in users
    )
    if email:
        addresses = [user.email for user in users if user.email]
        if addresses:
            message = f"{body}\n\n{url}".strip()
            transaction.on_commit(
                lambda: [send_mail(title, message, None, [address], fail_silently=True) for address in addresses]
            )
    return notices


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
