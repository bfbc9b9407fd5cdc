from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from audit_app.demo.world import DEMO_PASSWORD, build_demo


class Command(BaseCommand):
    help = (
        "Create demo users (one per role per area) and three months of rounds, printing the logins."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Create the demo users even with DEBUG off (they share one printed password).",
        )

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError(
                "Refusing to create demo users with a shared password while DEBUG is off; "
                "pass --allow-production if this really is a demonstration system."
            )
        call_command("load_reference_data", verbosity=0)
        logins = build_demo()
        self.stdout.write(self.style.SUCCESS("Demo data ready. Sign in at http://127.0.0.1:8000/"))
        self.stdout.write(f"Every demo user's password: {DEMO_PASSWORD}\n")
        width = max(len(login.username) for login in logins)
        for login in logins:
            self.stdout.write(f"  {login.username.ljust(width)}  {login.role} – {login.scope}")
