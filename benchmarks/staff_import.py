"""Importing the staff directory: checking, then applying, 10,000 new people and 10,000 updates.

The aim: applying a large force's directory (10,000 rows, created or updated) takes under 5 s, so
it finishes well inside a worker's soft time limit, and the check on upload stays about as fast.

Runs on a throwaway database, like import_select: with DATABASE_URL pointing at PostgreSQL, a
database named case_audit_bench_staff_<pid> on the same server, created here and dropped
afterwards; otherwise a SQLite file in a temporary directory. It goes through the real services:
`staff_import_check` for the upload, then `staff_import_confirm` and `staff_import_apply` (the
work the `directory.apply_staff_import` task does, here in-process). Three files: 10,000 new
people (a third of them with a line manager in the file), the same 10,000 each with a changed
name, rank, email and team, and that second file again (all unchanged: nothing to write).
"""

from __future__ import annotations

import os
import sys

from benchmarks.throwaway import run_child

ROWS = 10_000
AIM_APPLY_SECONDS = 5.0


def run() -> None:
    run_child("benchmarks.staff_import", "staff")


def _csv(teams: list[str], changed: bool) -> bytes:
    """ROWS people; every third managed by the person before them. `changed`: every person's
    name, rank, email and team differ from the first file's."""
    lines = ["staff number,name,rank,email,team,line manager's number"]
    for n in range(ROWS):
        number = f"{100000 + n}"
        manager = f"{100000 + n - 1}" if n % 3 == 1 else ""
        suffix = " Moved" if changed else ""
        rank = "DS" if changed else "PC"
        email = f"person.{n}{'.new' if changed else ''}@example.police.uk"
        team = teams[(n + (1 if changed else 0)) % len(teams)]
        lines.append(f"{number},Person {n}{suffix},{rank},{email},{team},{manager}")
    return ("\n".join(lines) + "\n").encode()


def child() -> None:
    import time

    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import connection

    from audit_app.directory import services
    from audit_app.directory.models import StaffImportState
    from audit_app.models import Force, Role, RoleAssignment, StaffMember, Team, User

    call_command("load_reference_data", verbosity=0)
    force = Force.objects.get()
    manager = User.objects.create(username="bench.manager")
    RoleAssignment.objects.create(user=manager, role=Role.AUDIT_MANAGER, force=force)
    teams = [
        f"{area}/{code}"
        for code, area in Team.objects.filter(area__force=force).values_list("code", "area__code")
    ]

    def one(label: str, content: bytes, expect: str) -> tuple[str, float, float, int]:
        upload = SimpleUploadedFile("staff.csv", content, content_type="text/csv")
        started = time.perf_counter()
        checked = services.staff_import_check(force=force, by=manager, upload=upload)
        check_seconds = time.perf_counter() - started
        count = getattr(checked, f"{expect}_rows")
        assert count == ROWS, (expect, count, checked.rejected_rows)
        started = time.perf_counter()
        if checked.create_rows or checked.update_rows:
            _apply(services, checked, manager)
        apply_seconds = time.perf_counter() - started
        checked.refresh_from_db()
        assert checked.state == StaffImportState.APPLIED or expect == "unchanged", checked.state
        return label, check_seconds, apply_seconds, count

    results = [
        one("new people", _csv(teams, changed=False), "create"),
        one("updates", _csv(teams, changed=True), "update"),
        one("unchanged", _csv(teams, changed=True), "unchanged"),
    ]
    assert StaffMember.objects.filter(force=force).count() == ROWS
    # The updates were written, each with one history record beside the creation's.
    assert (
        StaffMember.objects.filter(force=force, rank="DS", name__endswith=" Moved").count() == ROWS
    )
    assert StaffMember.history.filter(history_type="~").count() == ROWS
    print()
    print(
        f"staff directory import: {ROWS:,} rows a file, {connection.vendor} "
        f"({connection.settings_dict['NAME']}), load average {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} CPUs"
    )
    print(f"  {'file':<12} {'rows':>7} {'check (s)':>10} {'apply (s)':>10} {'applied rows/s':>15}")
    slowest = 0.0
    for label, check_seconds, apply_seconds, count in results:
        rate = f"{count / apply_seconds:>15,.0f}" if label != "unchanged" else f"{'-':>15}"
        print(f"  {label:<12} {count:>7,} {check_seconds:>10.3f} {apply_seconds:>10.3f} {rate}")
        if label != "unchanged":
            slowest = max(slowest, apply_seconds)
    verdict = "met" if slowest < AIM_APPLY_SECONDS else "NOT met"
    print(
        f"  aim: apply {ROWS:,} rows in under {AIM_APPLY_SECONDS:.0f} s: {verdict} "
        f"(slowest {slowest:.3f} s)"
    )


def _apply(services, checked, manager) -> None:
    """Confirm, then the task's work, in-process: only the apply is timed, not a queue."""
    confirmed = services.staff_import_confirm(staff_import=checked, by=manager)
    services.staff_import_apply(staff_import_id=confirmed.pk)


if __name__ == "__main__":
    if "--child" in sys.argv:
        child()
    else:
        run()
