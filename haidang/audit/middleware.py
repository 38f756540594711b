"""Keeps the request being served reachable for audit entries written deep inside services."""

from contextvars import ContextVar

current_request: ContextVar = ContextVar("haidang_audit_request", default=None)


def get_current_request():
    """The request this thread or task is serving, or None (management commands, jobs)."""
    return current_request.get()


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)
