from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from config.api import api
from haidang.common import views as common_views
from haidang.operations import views as operations_views

handler500 = common_views.server_error

urlpatterns = [
    path("healthz", common_views.healthz, name="healthz"),
    path("readyz", operations_views.readyz, name="readyz"),
    path("metrics", operations_views.metrics, name="metrics"),
    # The language switch must work on the sign-in page too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("api/v1/docs", common_views.api_docs, name="api_docs"),
    path("api/v1/", api.urls),
    path("units/", include("haidang.places.urls")),
    path("audit/", include("haidang.audit.urls")),
    path("prevention/", include("haidang.prevention.urls")),
    path("cases/", include("haidang.cases.urls")),
    path("reports/", include("haidang.reporting.urls")),
    path("proceedings/", include("haidang.proceedings.urls")),
    path("statistics/", include("haidang.statistics.urls")),
    path("exchange/", include("haidang.exchange.urls")),
    path("", include("haidang.access.urls")),
]
