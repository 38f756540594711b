from django.urls import path

from haidang.exchange.views import exports, htcds_imports, imports

app_name = "exchange"

urlpatterns = [
    path("exports/", exports.export_list, name="export_list"),
    path("exports/<uuid:export_id>/", exports.export_detail, name="export_detail"),
    path("exports/<uuid:export_id>/download/", exports.export_download, name="export_download"),
    path("exports/<uuid:export_id>/<slug:step>/", exports.export_step, name="export_step"),
    path("imports/", imports.import_list, name="import_list"),
    path("imports/htcds/", htcds_imports.htcds_import, name="htcds_import"),
    path("imports/template/<str:kind>.xlsx", imports.import_template, name="import_template"),
    path("imports/<uuid:import_id>/", imports.import_detail, name="import_detail"),
    path("imports/<uuid:import_id>/progress", imports.import_progress, name="import_progress"),
    path("imports/<uuid:import_id>/errors.xlsx", imports.import_errors, name="import_errors"),
    path("imports/<uuid:import_id>/commit", imports.import_commit, name="import_commit"),
]
