from django.urls import path

from haidang.places import views

app_name = "places"
urlpatterns = [
    path("", views.browse, name="browse"),
    # Before <code>/, so that "suggest" is never read as a unit code.
    path("suggest/", views.suggest, name="suggest"),
    path("<str:code>/", views.detail, name="detail"),
]
