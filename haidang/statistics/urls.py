from django.urls import path

from haidang.statistics import views

app_name = "statistics"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("public/", views.public_list, name="public_list"),
    path("public/<uuid:release_id>/", views.public_detail, name="public_detail"),
    path("public/<uuid:release_id>/tables/<int:position>.csv", views.public_table_csv, name="public_table_csv"),
    path("releases/", views.release_list, name="release_list"),
    path("releases/new/", views.release_new, name="release_new"),
    path("releases/<uuid:release_id>/", views.release_detail, name="release_detail"),
    path(
        "releases/<uuid:release_id>/publish/confirm/",
        views.release_publish_confirm,
        name="release_publish_confirm",
    ),
    path("releases/<uuid:release_id>/<slug:step>/", views.release_step, name="release_step"),
]
