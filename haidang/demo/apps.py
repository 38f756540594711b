from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demonstration data: the top layer, which may use every domain app and is used by none."""

    name = "haidang.demo"
    label = "demo"
