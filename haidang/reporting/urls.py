from django.urls import path

from haidang.reporting import views

app_name = "reporting"

urlpatterns = [
    path("", views.tasks, name="tasks"),
    path("reviews/", views.reviews, name="reviews"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
    path("notifications/<uuid:notification_id>/", views.notification_open, name="notification_open"),
    path("directives/", views.directive_list, name="directive_list"),
    path("directives/new/", views.directive_new, name="directive_new"),
    path("directives/<uuid:directive_id>/", views.directive_detail, name="directive_detail"),
    path("directives/<uuid:directive_id>/edit/", views.directive_edit, name="directive_edit"),
    path("directives/<uuid:directive_id>/issue/", views.directive_issue, name="directive_issue"),
    path("directives/<uuid:directive_id>/cancel/", views.directive_cancel, name="directive_cancel"),
    path(
        "directives/<uuid:directive_id>/files/<uuid:attachment_id>/",
        views.attachment_download,
        name="attachment_download",
    ),
    path("directives/<uuid:directive_id>/completeness/", views.completeness, name="completeness"),
    path("directives/<uuid:directive_id>/consolidated/", views.consolidated, name="consolidated"),
    path(
        "directives/<uuid:directive_id>/consolidated.<str:kind>",
        views.consolidated_export,
        name="consolidated_export",
    ),
    path("<uuid:report_id>/", views.report_detail, name="report_detail"),
    path("<uuid:report_id>/review/", views.report_review, name="report_review"),
    path("<uuid:report_id>/refresh/", views.report_refresh, name="report_refresh"),
]
