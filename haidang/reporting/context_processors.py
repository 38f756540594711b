from functools import cache

from haidang.reporting.selectors import unread_notification_count


def notifications(request):
    """The unread count for the top menu: asked only when a template shows it, once per request,
    and never for an anonymous visitor."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Templates call a callable: a page that does not show the menu runs no query.
    return {"unread_notifications": cache(lambda: unread_notification_count(user))}
