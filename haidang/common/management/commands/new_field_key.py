"""Print a new field-encryption key entry and how to roll it out."""

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from haidang.common import crypto
from haidang.common.keys import new_field_key


class Command(BaseCommand):
    help = (
        "Print a new FIELD_ENCRYPTION_KEYS entry '<id>:<base64 key>' on the first line of output, "
        "then the rotation steps (with -v 0, only the entry). See `manage.py rotate_field_keys --help`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--id",
            dest="key_id",
            required=True,
            help="Id of the new key (letters, digits, '-', '_'), never one used before: k2.",
        )

    def handle(self, *args: Any, key_id: str, **options: Any) -> None:
        if not crypto.KEY_ID_PATTERN.fullmatch(key_id):
            raise CommandError("The key id must be 1 to 32 letters, digits, '-' or '_'.")
        try:
            configured = list(crypto.key_ring().keys)
        except ImproperlyConfigured:
            configured = []
        if key_id in configured:
            # Two keys under one id would leave every value sealed under the old one unreadable.
            raise CommandError(f"Key id {key_id!r} is already in FIELD_ENCRYPTION_KEYS: choose a new id.")
        entry = new_field_key(key_id)
        self.stdout.write(entry)
        if options["verbosity"] == 0:
            return
        # Only ids of the keys in use are shown, never their material.
        order = ",".join([f"{key_id}:<the new key>", *(f"{old}:<its key>" for old in configured)])
        self.stdout.write(
            "\nThe line above is the key itself: keep it secret (a secret store, never the repository).\n"
            "1. Put it FIRST in FIELD_ENCRYPTION_KEYS on every server and keep the old entries "
            f"after it:\n     FIELD_ENCRYPTION_KEYS={order}\n"
            "   and restart. New values are sealed under the new key; old ones still open.\n"
            "2. Run `manage.py rotate_field_keys` (the application keeps running), again until it "
            "reports 0 remaining.\n"
            "3. Only then remove the old entries, and keep an offline copy of each old key for as "
            "long as backups sealed under it are kept.\n"
            "Never reuse an id for a different key."
        )
