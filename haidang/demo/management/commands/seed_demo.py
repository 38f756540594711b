import os

from django.core.management.base import BaseCommand

from haidang.access.demo import demo_password, demo_totp_secret, seed_demo
from haidang.cases.demo import seed_cases_demo
from haidang.prevention.demo import seed_prevention_demo
from haidang.proceedings.demo import seed_proceedings_demo
from haidang.reporting.demo import seed_reporting_demo
from haidang.statistics.demo import seed_statistics_demo


def served_address(host: str | None = None, port: str | None = None) -> str:
    """The address `make run` serves on, to print beside the logins.

    `make run HOST=… PORT=…` (or HOST and PORT in the environment) hands both to the commands it
    runs, this one included; without them it serves on 127.0.0.1:8000. A server listening on every
    address (0.0.0.0, ::) is reached on this machine at 127.0.0.1.
    """
    host = (host if host is not None else os.environ.get("HOST", "")).strip() or "127.0.0.1"
    port = (port if port is not None else os.environ.get("PORT", "")).strip() or "8000"
    if host in ("0.0.0.0", "::", "[::]"):  # noqa: S104 (a name for "every address", not a bind)
        host = "127.0.0.1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


class Command(BaseCommand):
    help = "Create or refresh the demonstration agencies and users (synthetic) and print their logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--address",
            default="",
            help="The address to print (default: from HOST and PORT, as `make run` serves; else 127.0.0.1:8000).",
        )

    def handle(self, *args, **options):
        logins = seed_demo()
        # Prevention work for the 30 July month of action (idempotent like the users).
        seed_prevention_demo()
        # Synthetic cases at every step, so the case screens have something to show.
        seed_cases_demo()
        # Directives and reports (30 July), criminal proceedings 2023–2026 and statistics releases.
        seed_reporting_demo()
        seed_proceedings_demo()
        seed_statistics_demo()
        if options["verbosity"] < 1:
            return
        width = max(len(item["username"]) for item in logins)
        self.stdout.write("")
        address = options["address"] or served_address()
        self.stdout.write(self.style.MIGRATE_HEADING(f"Demonstration logins (synthetic data) — {address}"))
        for item in logins:
            marker = "2FA" if item["two_factor"] else "   "
            self.stdout.write(f"  {item['username']:<{width}}  {marker}  {item['role']} — {item['unit']}")
        self.stdout.write("")
        self.stdout.write(f"  Password for every demo user (DEMO_PASSWORD): {demo_password()}")
        self.stdout.write(f"  TOTP secret for users marked 2FA (DEMO_TOTP_SECRET): {demo_totp_secret()}")
        self.stdout.write("  Add the secret to an authenticator app, or print the current code with:")
        self.stdout.write("    .venv/bin/python manage.py demo_otp")
        self.stdout.write("")
