"""Views that belong to no domain: the health check, the API documentation page, the server error."""

import sys

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@require_GET
@never_cache
@login_not_required
def healthz(request):
    """200 when the database answers, 503 when it does not (for the load balancer)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # Any database failure means "take me out of rotation".
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


@require_GET
@login_not_required
def api_docs(request):
    """The API reference, rendered from the OpenAPI document on the server (no scripts)."""
    # Here, not at the top: common is the lowest layer, and config.api imports every app (which import common).
    from config.api import api

    schema = api.get_openapi_schema(path_prefix="/api/v1")
    operations = []
    for route, methods in schema.get("paths", {}).items():
        for method, operation in methods.items():
            operations.append(
                {
                    "method": method.upper(),
                    "path": route,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "parameters": operation.get("parameters", []),
                    "has_body": "requestBody" in operation,
                    "responses": sorted(operation.get("responses", {}).keys()),
                    "tags": operation.get("tags", []),
                }
            )
    operations.sort(key=lambda op: (op["tags"][:1], op["path"], op["method"]))
    return render(request, "common/api_docs.html", {"operations": operations, "info": schema.get("info", {})})


# Raised when the database cannot be reached or went away; other database errors are bugs (500).
_UNAVAILABLE = (OperationalError, InterfaceError)


def server_error(request):
    """The answer to an exception nothing else handled (Django's handler500).

    A database that cannot be reached is 503 with Retry-After ("try again soon"), anything else 500.
    The API answers in its error shape, pages with a static page; nothing here touches the database
    or says anything about the error itself.
    """
    error = sys.exception()
    unavailable = isinstance(error, _UNAVAILABLE) or (
        isinstance(error, DatabaseError) and isinstance(error.__cause__, _UNAVAILABLE)
    )
    status = 503 if unavailable else 500
    if request.path_info.startswith("/api/"):
        if unavailable:
            code, message = "unavailable", _("The service is unavailable for a moment. Try again shortly.")
        else:
            code, message = "server_error", _("Something went wrong on our side; it has been logged.")
        response = JsonResponse({"error": {"code": code, "message": str(message), "fields": {}}}, status=status)
    else:
        template = loader.get_template("503.html" if unavailable else "500.html")
        response = HttpResponse(template.render(), status=status)
    if unavailable:
        response["Retry-After"] = "30"
    return response
