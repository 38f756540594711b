"""Notices. Every signed-in user has an inbox (no reporting right needed: it holds only their own
notices)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from haidang.reporting import selectors, services

NOTIFICATIONS_PER_PAGE = 25


def _local_path(url: str) -> bool:
    """A path on this site: no scheme, no host (so "//elsewhere" and "https://…" are refused)."""
    return bool(url) and url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts=set())


@require_GET
def notifications(request):
    unread_only = request.GET.get("unread") == "1"
    notices = selectors.notifications_for(request.user)
    if unread_only:
        notices = notices.filter(read_at__isnull=True)
    page = Paginator(notices, NOTIFICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "reporting/notifications.html",
        {
            "page": page,
            "unread_only": unread_only,
            "page_prefix": "?unread=1&page=" if unread_only else "?page=",
        },
    )


@require_GET
def notification_open(request, notification_id):
    """Opening a notice marks it read and follows its link, if the link stays on this site."""
    notice = get_object_or_404(selectors.notifications_for(request.user), pk=notification_id)
    services.mark_notification_read(actor=request.user, notification=notice)
    if _local_path(notice.url):
        return redirect(notice.url)
    if notice.url:
        messages.warning(request, _("This notice links outside Hải Đăng, so it was not followed."))
    return redirect("reporting:notifications")


@require_POST
def notifications_read_all(request):
    count = services.mark_all_notifications_read(actor=request.user)
    if count:
        messages.success(request, _("All notices marked as read."))
    return redirect("reporting:notifications")
