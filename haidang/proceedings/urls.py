from django.urls import path

from haidang.proceedings import views

app_name = "proceedings"

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("new/", views.case_new, name="case_new"),
    path("<uuid:criminal_case_id>/", views.case_detail, name="case_detail"),
    path("<uuid:criminal_case_id>/edit/", views.case_edit, name="case_edit"),
    path("<uuid:criminal_case_id>/suspects/new/", views.suspect_new, name="suspect_new"),
    path("<uuid:criminal_case_id>/suspects/<uuid:suspect_id>/", views.suspect_edit, name="suspect_edit"),
    path("<uuid:criminal_case_id>/suspects/<uuid:suspect_id>/remove/", views.suspect_remove, name="suspect_remove"),
    path("<uuid:criminal_case_id>/victims/", views.victim_link, name="victim_link"),
    path("<uuid:criminal_case_id>/victims/<uuid:case_id>/unlink/", views.victim_unlink, name="victim_unlink"),
]
