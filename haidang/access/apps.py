from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "haidang.access"
    label = "access"
    verbose_name = _("Access")

    def ready(self):
        from haidang.access.scope import scope_for
        from haidang.audit.services import set_role_resolver

        # The audit log records the acting user's roles; it sits below access, so access tells it how.
        set_role_resolver(lambda user: scope_for(user).roles)
