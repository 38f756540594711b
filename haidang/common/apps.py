from django.apps import AppConfig
from django.conf import settings


class CommonConfig(AppConfig):
    name = "haidang.common"
    label = "common"

    def ready(self) -> None:
        from haidang.common import crypto, holidays, lookups  # noqa: F401 (holidays registers its check)

        lookups.register()

        # A malformed key must stop the process at start, not at the first read of a record.
        crypto.key_ring()
        crypto._hash_key(settings.FIELD_HASH_KEY)
