from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "haidang.access"
    label = "access"
    verbose_name = _("Access")

    def ready(self):
        from haidang.access.scope import scope_for
        from haidang.audit.services import set_role_resolver
        from haidang.places.resolver import set_area_provider

        # The audit log records the acting user's roles; it sits below access, so access tells it how.
        set_role_resolver(lambda user: scope_for(user).roles)
        # The place pickers list units of the user's own area first among equals; the same.
        set_area_provider(lambda user: [entry.unit_path for entry in scope_for(user).entries])
