"""Report, and with --confirm erase, records kept past the retention period."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError

from audit_app.models import User
from audit_app.retention.services import retention_erase, retention_report


class Command(BaseCommand):
    help = (
        "List what is past the retention period (a dry run, the default); with --confirm, "
        "erase it and record the erasure in the access log."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--confirm", action="store_true", help="Erase, not just report.")
        parser.add_argument("--today", help="Pretend today is YYYY-MM-DD (for checking).")
        parser.add_argument("--by", help="Username of the person confirming the erasure.")

    def handle(self, *args, confirm: bool, today: str | None, by: str | None, **options) -> None:
        day = datetime.date.fromisoformat(today) if today else None
        user = None
        if by:
            user = User.objects.filter(username=by).first()
            if user is None:
                raise CommandError(f"No user {by!r}.")
        report = retention_report(day)
        self.stdout.write(f"Retention cut-off: rounds of months before {report.cutoff:%B %Y}.")
        for name, count in report.counts.items():
            self.stdout.write(f"  {name}: {count}")
        if not any(report.counts.values()):
            self.stdout.write("Nothing is past the retention period.")
            return
        if not confirm:
            self.stdout.write("Dry run: nothing erased. Run again with --confirm to erase.")
            return
        retention_erase(today=day, by=user)
        self.stdout.write(self.style.SUCCESS("Erased; each erasure is in the access log."))
