"""Django's `dumpdata`, refusing the models that hold sealed (encrypted) values.

`dumpdata` reads a model through the ORM, so an EncryptedTextField would be written out in clear; and
`loaddata` would seal what it reads again. Identities must never leave the database in clear: a copy
of the data is made with `manage.py backup`, which keeps every value sealed. Other models (the map,
agencies without users, the catalogue) may still be dumped, naming them or excluding the sealed ones.
"""

from django.core.management.base import CommandError
from django.core.management.commands.dumpdata import Command as DumpdataCommand
from django.utils.translation import gettext as _

from haidang.common.sealed import sealed_models


class Command(DumpdataCommand):
    def handle(self, *app_labels, **options):
        chosen = self._chosen_models(app_labels, options.get("exclude") or [])
        refused = sorted(model._meta.label for model in sealed_models() if model in chosen)
        if refused:
            raise CommandError(
                _(
                    "dumpdata would write identifying values in clear, so it refuses %(models)s. To copy the "
                    "data, use `manage.py backup` (every value stays sealed; `manage.py restore` brings it "
                    "back). To dump the rest, leave these out with --exclude."
                )
                % {"models": ", ".join(refused)}
            )
        return super().handle(*app_labels, **options)

    @staticmethod
    def _chosen_models(app_labels, excludes) -> set:
        from django.apps import apps

        excluded_models, excluded_apps = set(), set()
        for label in excludes:
            if "." in label:
                try:
                    excluded_models.add(apps.get_model(label))
                except (LookupError, ValueError):
                    continue  # Django's own handler names the bad label.
            else:
                excluded_apps.add(label)
        chosen = set()
        if not app_labels:
            configs = [config for config in apps.get_app_configs() if config.label not in excluded_apps]
            chosen = {model for config in configs for model in config.get_models(include_auto_created=True)}
        for label in app_labels:
            app_label, _dot, model_name = label.partition(".")
            try:
                config = apps.get_app_config(app_label)
            except LookupError:
                continue
            if model_name:
                try:
                    chosen.add(config.get_model(model_name))
                except LookupError:
                    continue
            elif app_label not in excluded_apps:
                chosen.update(config.get_models(include_auto_created=True))
        return chosen - excluded_models
