"""Readiness for orchestrators and metrics for the monitoring system."""

import hmac

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from haidang.operations.health import readiness
from haidang.operations.metrics import CONTENT_TYPE, exposition


@require_GET
@never_cache
@login_not_required
def readyz(request):
    """200 when the database answers, every migration is applied and a job worker is alive; else 503
    with the failing parts named (`{"status": "unavailable", "failing": ["worker"], "checks": {...}}`)."""
    result = readiness()
    body = {"status": "ok" if result.ready else "unavailable", "checks": result.checks}
    if not result.ready:
        body["failing"] = result.failing
    return JsonResponse(body, status=200 if result.ready else 503)


def _may_scrape(request) -> bool:
    expected = settings.METRICS_TOKEN
    if not expected:
        return False
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    return hmac.compare_digest(given.encode(), expected.encode())


@require_GET
@never_cache
@login_not_required
def metrics(request):
    """Prometheus' text format for a scraper sending `Authorization: Bearer <METRICS_TOKEN>`; 404 for anyone
    else (and for everyone when no token is configured), so the endpoint is not even seen to exist."""
    if not _may_scrape(request):
        raise Http404
    return HttpResponse(exposition(), content_type=CONTENT_TYPE)
