import base64

from django.core.management.base import BaseCommand
from django_otp.oath import TOTP

from haidang.access.demo import demo_totp_secret


class Command(BaseCommand):
    help = "Print the current six-digit code for the demonstration TOTP secret (DEMO_TOTP_SECRET)."

    def handle(self, *args, **options):
        secret = demo_totp_secret()
        key = base64.b32decode(secret + "=" * (-len(secret) % 8))
        totp = TOTP(key, step=30, digits=6)
        self.stdout.write(f"{totp.token():06d}")
