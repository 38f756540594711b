from django.urls import path

from haidang.prevention import views

app_name = "prevention"
urlpatterns = [
    path("", views.activity_list, name="activity_list"),
    path("activities/quick/", views.activity_quick, name="activity_quick"),
    path("activities/new/", views.activity_new, name="activity_new"),
    path("activities/<uuid:activity_id>/", views.activity_detail, name="activity_detail"),
    path("activities/<uuid:activity_id>/edit/", views.activity_edit, name="activity_edit"),
    path(
        "activities/<uuid:activity_id>/files/<uuid:attachment_id>/",
        views.attachment_download,
        name="attachment_download",
    ),
    path("summary/", views.summary, name="summary"),
    path("campaigns/", views.campaign_list, name="campaign_list"),
    path("campaigns/new/", views.campaign_new, name="campaign_new"),
    path("campaigns/<uuid:campaign_id>/", views.campaign_detail, name="campaign_detail"),
    path("models/", views.model_list, name="model_list"),
    path("models/new/", views.model_new, name="model_new"),
]
