from django.core.management.base import BaseCommand

from haidang.access.demo import demo_password, demo_totp_secret, seed_demo
from haidang.cases.demo import seed_cases_demo
from haidang.prevention.demo import seed_prevention_demo
from haidang.proceedings.demo import seed_proceedings_demo
from haidang.reporting.demo import seed_reporting_demo
from haidang.statistics.demo import seed_statistics_demo


class Command(BaseCommand):
    help = "Create or refresh the demonstration agencies and users (synthetic) and print their logins."

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
        self.stdout.write(self.style.MIGRATE_HEADING("Demonstration logins (synthetic data) — http://127.0.0.1:8000"))
        for item in logins:
            marker = "2FA" if item["two_factor"] else "   "
            self.stdout.write(f"  {item['username']:<{width}}  {marker}  {item['role']} — {item['unit']}")
        self.stdout.write("")
        self.stdout.write(f"  Password for every demo user (DEMO_PASSWORD): {demo_password()}")
        self.stdout.write(f"  TOTP secret for users marked 2FA (DEMO_TOTP_SECRET): {demo_totp_secret()}")
        self.stdout.write("  Add the secret to an authenticator app, or print the current code with:")
        self.stdout.write("    .venv/bin/python manage.py demo_otp")
        self.stdout.write("")
