from django.urls import path  # noqa: F401 (each side of the exchange adds its pages here)

app_name = "exchange"

urlpatterns: list = []
