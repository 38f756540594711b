from django.urls import path

from haidang.access import views

app_name = "access"
urlpatterns = [
    path("", views.home, name="home"),
    path("account/login/", views.login_view, name="login"),
    path("account/logout/", views.logout_view, name="logout"),
    path("account/two-factor/", views.two_factor_verify, name="two_factor_verify"),
    path("account/two-factor/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("agencies/", views.agency_list, name="agency_list"),
    path("agencies/new/", views.agency_create, name="agency_create"),
    path("agencies/<uuid:agency_id>/", views.agency_edit, name="agency_edit"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<uuid:user_id>/", views.user_edit, name="user_edit"),
    path(
        "users/<uuid:user_id>/memberships/<uuid:membership_id>/end/",
        views.membership_end,
        name="membership_end",
    ),
]
