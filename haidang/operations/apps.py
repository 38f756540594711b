from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    """Running the system: backup and restore, readiness, the job worker's heartbeat, logs and metrics."""

    name = "haidang.operations"
    label = "operations"
    verbose_name = _("Operations")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from haidang.audit.sealing import seal_lag_seconds
        from haidang.operations.metrics import set_audit_lag_source

        # The audit lag gauge: how long the oldest entry not yet sealed into a checkpoint has waited.
        set_audit_lag_source(seal_lag_seconds)
