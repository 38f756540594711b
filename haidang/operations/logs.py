"""One JSON line per request, and the formatter that writes it.

A line holds the time, the request id, method, URL pattern (never the path's values or the query
string: a search may be a person's name), status, duration, the SQL statements run, and the user's
id (never a name). The same request id is sent back in the X-Request-ID header, so a user's report
of a failure can be matched with its line.
"""

import logging
import time
import uuid
from contextlib import ExitStack

from django.conf import settings
from django.db import connections

from haidang.operations.metrics import observe_request

request_logger = logging.getLogger("haidang.requests")


class _StatementCounter:
    def __init__(self):
        self.by_alias: dict[str, int] = {}

    def wrapper(self, alias: str):
        def count(execute, sql, params, many, context):
            self.by_alias[alias] = self.by_alias.get(alias, 0) + 1
            return execute(sql, params, many, context)

        return count


def _route(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is not None and match.route:
        return "/" + match.route
    if settings.STATIC_URL and request.path_info.startswith(settings.STATIC_URL):
        return "static"
    return "unmatched"


def _user_id(request) -> str | None:
    user = getattr(request, "user", None)
    try:
        return str(user.pk) if user is not None and user.is_authenticated else None
    except Exception:  # The session could not be read (database down): the line is still written.
        return None


class RequestLogMiddleware:
    """Outermost middleware: measures the whole request, counts its statements, logs and observes it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = uuid.uuid4().hex
        counter = _StatementCounter()
        started = time.perf_counter()
        with ExitStack() as stack:
            for connection in connections.all():
                stack.enter_context(connection.execute_wrapper(counter.wrapper(connection.alias)))
            response = self.get_response(request)
        seconds = time.perf_counter() - started
        route = _route(request)
        response["X-Request-ID"] = request_id
        observe_request(method=request.method, route=route, status=response.status_code, seconds=seconds)
        fields = {
            "event": "request",
            "request_id": request_id,
            "method": request.method,
            "route": route,
            "status": response.status_code,
            "duration_ms": round(seconds * 1000, 1),
            "statements": sum(counter.by_alias.values()),
            "user": _user_id(request),
        }
        if len(counter.by_alias) > 1 or set(counter.by_alias) - {"default"}:
            fields["statements_by_database"] = dict(sorted(counter.by_alias.items()))
        request_logger.info("request", extra={"fields": fields})
        return response
