"""Notices: in-application notifications to users, an e-mail to each after commit, and the links
they carry.

Below both the services (issuing a directive, submitting and reviewing a report notify) and the
reminder ladder (`reporting.reminders`, which notifies on its own schedule and is scheduled by the
directive services), so the reminders need not import the services package.
"""

from django.core.mail import send_mail
from django.db import transaction
from django.urls import NoReverseMatch, reverse
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


def report_url(report) -> str:
    try:
        return reverse("reporting:report_detail", args=[report.pk])
    except NoReverseMatch:
        return "/reports/"


def directive_url(directive) -> str:
    try:
        return reverse("reporting:directive_detail", args=[directive.pk])
    except NoReverseMatch:
        return "/reports/"
