from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "haidang.common"
    label = "common"
