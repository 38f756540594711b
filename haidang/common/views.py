"""Views that belong to no domain: the health check and the API documentation page."""

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
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
