from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_default_forms(sender, **kwargs):
    # After `migrate`, so every installation has the standard report form to issue directives with.
    from haidang.reporting.default_forms import ensure_default_forms

    ensure_default_forms()


class ReportingConfig(AppConfig):
    name = "haidang.reporting"
    label = "reporting"
    verbose_name = _("Directives and reports")

    def ready(self):
        post_migrate.connect(_ensure_default_forms, sender=self, dispatch_uid="reporting_default_forms")
