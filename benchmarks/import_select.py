"""Importing 50,000 candidate cases and selecting a month's cases for the three areas.

The aim (issue 6): import at least 5,000 rows a second on PostgreSQL; select in under a second.

Runs on a throwaway database: with DATABASE_URL pointing at PostgreSQL, a database named
case_audit_bench_import_<pid> on the same server, created here and dropped afterwards; otherwise a
SQLite file in a temporary directory. The measuring runs in a child process, so its peak resident
memory is the import's own. It goes through the real services: `case_import_start`, the row-by-row
`case_import_check`, `case_import_confirm` and `case_import_save`, then `round_create` and
`round_select` for each area. The import is run twice on fresh tables: once for time (and the
process's peak RSS), once under tracemalloc for each phase's peak Python allocation, since tracing
slows Python down too much to time it at once.
"""

from __future__ import annotations

import os
import sys

from benchmarks.throwaway import run_child

ROWS = 50_000
AIM_ROWS_PER_SECOND = 5_000
AIM_SELECT_SECONDS = 1.0


# The parent: a throwaway database, then the child ------------------------------------------------


def run() -> None:
    run_child("benchmarks.import_select", "import")


# The child: measure ----------------------------------------------------------------------------


def _csv(rows: int, month_ends: list, seed: int = 2018) -> bytes:
    """`rows` candidate cases over three areas, every theme and team, many stations, 12 months."""
    import csv
    import datetime
    import io
    import random

    from django.utils import timezone

    from audit_app.models import Area
    from audit_app.models.reference import CaseTheme

    rng = random.Random(seed)  # noqa: S311 - test data, not security
    areas = list(Area.objects.prefetch_related("teams").order_by("code"))
    themes = list(CaseTheme.objects.filter(is_active=True).values_list("code", flat=True))
    officers = [f"{rng.randrange(1000, 99999)}" for _ in range(1500)]
    supervisors = [f"PS{rng.randrange(100, 9999)}" for _ in range(300)]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        ["reference", "theme", "area", "team", "station", "officer_in_case", "supervisor",
         "occurred_on", "closed_on"]
    )  # fmt: skip
    teams_of = {area.pk: list(area.teams.all()) for area in areas}
    today = timezone.localdate()
    for n in range(rows):
        area = areas[n % len(areas)]
        teams = teams_of[area.pk]
        month_start, month_end = month_ends[(n // len(areas)) % len(month_ends)]
        occurred = month_start + datetime.timedelta(
            days=rng.randrange((month_end - month_start).days)
        )
        # A case is closed by now, if at all: a closing date in the future is rejected.
        closed = occurred + datetime.timedelta(days=rng.randrange(1, 60)) if n % 3 else ""
        closed = min(closed, today) if closed else ""
        writer.writerow(
            [
                f"{area.code[:2].upper()}/{n:07d}",
                themes[rng.randrange(len(themes))],
                area.code,
                teams[rng.randrange(len(teams))].code,
                f"{area.name} station {rng.randrange(8)}",
                officers[rng.randrange(len(officers))],
                supervisors[rng.randrange(len(supervisors))] if n % 4 else "",
                occurred.isoformat(),
                closed.isoformat() if closed else "",
            ]
        )
    return buffer.getvalue().encode()


def _months():
    """The twelve months before this one, as (first day, first day of the next)."""
    from audit_app.months import add_months, current_month

    this_month = current_month()
    return [(add_months(this_month, -k), add_months(this_month, -k + 1)) for k in range(12, 0, -1)]


def _max_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


class Phase:
    """Times a block, optionally tracing Python allocations for its peak."""

    def __init__(self, trace: bool) -> None:
        self.trace = trace
        self.seconds = 0.0
        self.cpu_seconds = 0.0
        self.peak_mb = 0.0

    def __enter__(self) -> Phase:
        import time
        import tracemalloc

        if self.trace:
            tracemalloc.start()
        self._started = time.perf_counter()
        self._cpu_started = time.process_time()
        return self

    def __exit__(self, *exc) -> None:
        import time
        import tracemalloc

        self.seconds = time.perf_counter() - self._started
        self.cpu_seconds = time.process_time() - self._cpu_started
        if self.trace:
            self.peak_mb = tracemalloc.get_traced_memory()[1] / 1_000_000
            tracemalloc.stop()


def _reset_tables() -> None:
    """Empty what a run writes, so the next run starts from the same state."""
    from django.db import connection

    from audit_app.audits.models import AuditRound, Case
    from audit_app.models import StaffMember
    from audit_app.rounds.models import CaseImport, CaseImportRow, SelectionSlot

    # In the order of their foreign keys. Not TRUNCATE ... CASCADE: users refer to staff members.
    models = [SelectionSlot, AuditRound, CaseImportRow, CaseImport, Case, StaffMember]
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608


def _one_run(content: bytes, manager, trace: bool) -> dict[str, Phase]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from audit_app.models import Area
    from audit_app.months import add_months, current_month
    from audit_app.rounds import imports as case_import
    from audit_app.rounds import services as rounds
    from audit_app.rounds.models import CaseImportState

    phases: dict[str, Phase] = {}
    force = Area.objects.first().force
    with Phase(trace) as phases["upload (case_import_start)"]:
        upload = SimpleUploadedFile("candidates.csv", content, content_type="text/csv")
        started = case_import.case_import_start(force=force, by=manager, upload=upload)
    with Phase(trace) as phases["check every row (case_import_check)"]:
        checked = case_import.case_import_check(case_import_id=started.pk)
    assert checked.state == CaseImportState.READY, checked.failure_reason
    assert checked.accepted_rows == ROWS, (checked.accepted_rows, checked.rejected_rows)
    with Phase(trace) as phases["save the cases (confirm + case_import_save)"]:
        confirmed = case_import.case_import_confirm(case_import=checked, by=manager)
        saved = case_import.case_import_save(case_import_id=confirmed.pk)
    assert saved.saved_cases == ROWS, saved.saved_cases
    phases["max RSS after import"] = _max_rss_mb()
    month = current_month()
    for area in Area.objects.order_by("name"):
        with Phase(trace) as phases[f"round_create {area.name}"]:
            audit_round = rounds.round_create(
                area=area, month=month, due_date=add_months(month, 1), by=manager
            )
        with Phase(trace) as phases[f"round_select {area.name}"]:
            slots = rounds.round_select(audit_round=audit_round, by=manager, seed=42)
        assert all(s.case_id for s in slots), f"{area.name}: a slot stayed empty"
    phases["max RSS after selection"] = _max_rss_mb()
    return phases


def child() -> None:
    import time

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from audit_app.models import Force, Role, RoleAssignment, User

    call_command("load_reference_data", verbosity=0)
    manager = User.objects.create(username="bench.manager")
    RoleAssignment.objects.create(user=manager, role=Role.AUDIT_MANAGER, force=Force.objects.get())

    started = time.perf_counter()
    content = _csv(ROWS, _months())
    generated = time.perf_counter() - started

    timed = _one_run(content, manager, trace=False)
    _reset_tables()
    traced = _one_run(content, manager, trace=True)

    print()
    print(
        f"import and selection: {ROWS:,} candidate rows ({len(content) / 1e6:.1f} MB CSV, "
        f"made in {generated:.1f} s), 3 areas, {connection.vendor} "
        f"({connection.settings_dict['NAME']}), load average {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} CPUs"
    )
    _report(timed, traced, on_postgres=connection.vendor == "postgresql")


def _report(timed: dict, traced: dict, on_postgres: bool) -> None:
    """One line a phase: wall and CPU time, rows a second, peak allocation; then the aims."""
    heading = f"{'time (s)':>9} {'CPU (s)':>8} {'rows/s':>8} {'tracemalloc peak (MB)':>22}"
    print(f"  {'phase':<44} {heading}")
    import_seconds = import_cpu = 0.0
    for label, phase in timed.items():
        if not isinstance(phase, Phase):
            print(f"  {label:<44} {phase:>9.0f} MB (ru_maxrss: the process's peak resident size)")
            continue
        if label.startswith(("upload", "check", "save")):
            import_seconds += phase.seconds
            import_cpu += phase.cpu_seconds
        rate = f"{ROWS / phase.seconds:>8,.0f}" if label.startswith(("check", "save")) else ""
        print(
            f"  {label:<44} {phase.seconds:>9.3f} {phase.cpu_seconds:>8.3f} {rate:>8} "
            f"{traced[label].peak_mb:>22.1f}"
        )
    rate = ROWS / import_seconds
    print(
        f"  {'import in all (upload + check + save)':<44} {import_seconds:>9.3f} "
        f"{import_cpu:>8.3f} {rate:>8,.0f}"
    )
    slowest = max(p.seconds for k, p in timed.items() if k.startswith("round_select"))
    verdict = "met" if rate >= AIM_ROWS_PER_SECOND else "NOT met"
    where = "" if on_postgres else " (the aim is set for PostgreSQL)"
    print(
        f"  aim: import at least {AIM_ROWS_PER_SECOND:,} rows/s: {verdict} ({rate:,.0f} rows/s)"
        f"{where}"
    )
    verdict = "met" if slowest < AIM_SELECT_SECONDS else "NOT met"
    print(
        f"  aim: selection under {AIM_SELECT_SECONDS:.0f} s per area: {verdict} "
        f"(slowest {slowest:.3f} s)"
    )


if __name__ == "__main__":
    if "--child" in sys.argv:
        child()
    else:
        run()
