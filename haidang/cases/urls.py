from django.urls import path

from haidang.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("new/", views.intake, name="intake"),
    path("<uuid:case_id>/", views.detail, name="detail"),
    path("<uuid:case_id>/transition/", views.transition, name="transition"),
]
