from django.urls import include, path

from config.api import api
from haidang.common import views as common_views

urlpatterns = [
    path("healthz", common_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/docs", common_views.api_docs, name="api_docs"),
    path("api/v1/", api.urls),
    path("units/", include("haidang.places.urls")),
    path("audit/", include("haidang.audit.urls")),
    path("", include("haidang.access.urls")),
]
