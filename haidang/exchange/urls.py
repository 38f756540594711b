from django.urls import path  # noqa: F401 (each side of the exchange adds its pages here)

from haidang.exchange.views import exports

app_name = "exchange"

urlpatterns: list = [
    path("exports/", exports.export_list, name="export_list"),
    path("exports/<uuid:export_id>/", exports.export_detail, name="export_detail"),
    path("exports/<uuid:export_id>/download/", exports.export_download, name="export_download"),
    path("exports/<uuid:export_id>/<slug:step>/", exports.export_step, name="export_step"),
]
