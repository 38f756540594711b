from django.urls import path  # noqa: F401 (each side of the exchange adds its pages here)

from haidang.exchange.views import imports

app_name = "exchange"

urlpatterns: list = [
    path("imports/", imports.import_list, name="import_list"),
    path("imports/template/<str:kind>.xlsx", imports.import_template, name="import_template"),
    path("imports/<uuid:import_id>/", imports.import_detail, name="import_detail"),
    path("imports/<uuid:import_id>/progress", imports.import_progress, name="import_progress"),
    path("imports/<uuid:import_id>/errors.xlsx", imports.import_errors, name="import_errors"),
    path("imports/<uuid:import_id>/commit", imports.import_commit, name="import_commit"),
]
