from django.urls import path

from haidang.places import views

app_name = "places"
urlpatterns = [
    path("", views.browse, name="browse"),
    path("<str:code>/", views.detail, name="detail"),
]
