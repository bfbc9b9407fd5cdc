"""Hostile import files against the import check: memory and time (issue 12, defect 3).

The aim: every file within the 20 MB upload cap is refused or checked with the worker's peak
resident memory under 300 MB, and within 5 s of a limit being passed. Each file in
`hostile_files.FILES` is built in a temporary directory, then checked by the real
`case_import_check` in a child process of its own (a worker doing one task), on a throwaway SQLite
database. The child reports its peak RSS from /proc/self/status (VmHWM: getrusage's ru_maxrss
would carry the parent's over exec). "After the limit" is the time from the moment the reader
noticed a limit was passed (for the time budget: from the budget's end) to the import being marked
failed; for a file checked in full it is blank.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UPLOAD_CAP = 20_000_000
AIM_RSS_MB = 300
AIM_SECONDS_AFTER_LIMIT = 5.0


def _env(workdir: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="benchmarks.settings",
        DATABASE_URL=f"sqlite:///{workdir}/bench.sqlite3",
        DEBUG="0",
        SECRET_KEY=env.get("SECRET_KEY")
        or "benchmark-only-secret-key-never-used-in-any-deployment",
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        ALLOWED_HOSTS="127.0.0.1",
        LOG_LEVEL="ERROR",
        CELERY_BROKER_URL="",
        MEDIA_ROOT=f"{workdir}/media",
    )
    return env


def run() -> None:
    from benchmarks.hostile_files import FILES

    workdir = tempfile.mkdtemp(prefix="case-audit-bench-bounds-")
    env = _env(workdir)
    python = sys.executable
    try:
        started = time.perf_counter()
        built = []
        for number, hostile in enumerate(FILES):
            path = Path(workdir) / f"file{number}.{hostile.suffix}"
            hostile.build(path)
            built.append((hostile, path))
        building = time.perf_counter() - started
        subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        subprocess.run(
            [python, "manage.py", "load_reference_data", "-v0"], cwd=ROOT, env=env, check=True
        )
        results = [_measure(python, env, hostile, path) for hostile, path in built]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    _report(results, building)


def _measure(python: str, env: dict[str, str], hostile, path: Path) -> dict:
    child = subprocess.Popen(
        [
            python, "-m", "benchmarks.import_bounds", "--child", str(path), hostile.suffix,
            json.dumps(dict(hostile.settings)),
        ],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    out, err = child.communicate()
    if child.returncode:
        raise RuntimeError(f"{hostile.name}: the check crashed:\n{err.decode()[-3000:]}")
    result = json.loads(out.decode().strip().splitlines()[-1])
    result.update(name=hostile.name, size=path.stat().st_size)
    return result


def _report(results: list[dict], building: float) -> None:
    print()
    print(
        f"import bounds: {len(results)} hostile files within the {UPLOAD_CAP / 1e6:.0f} MB upload "
        f"cap (built in {building:.0f} s), each checked in a child process; load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    print(
        f"  {'file':<38} {'MB':>5} {'outcome':<8} {'check (s)':>9} {'after limit (s)':>15} "
        f"{'peak RSS (MB)':>13}  reason"
    )
    worst_rss = worst_after = 0.0
    within_cap = True
    for r in results:
        after = r["after_limit"]
        worst_rss = max(worst_rss, r["rss_mb"])
        worst_after = max(worst_after, after or 0.0)
        within_cap &= r["size"] <= UPLOAD_CAP
        reason = r["reason"] or f"{r['accepted']:,} accepted, {r['rejected']:,} rejected"
        print(
            f"  {r['name']:<38} {r['size'] / 1e6:>5.1f} {r['state']:<8} {r['seconds']:>9.2f} "
            f"{'' if after is None else f'{after:.3f}':>15} {r['rss_mb']:>13.0f}  "
            f"{reason[:90]}"
        )
    met = worst_rss < AIM_RSS_MB and worst_after < AIM_SECONDS_AFTER_LIMIT
    verdict = "met" if met else "NOT met"
    print(
        f"  aim: peak RSS under {AIM_RSS_MB} MB and refusal within {AIM_SECONDS_AFTER_LIMIT:.0f} s "
        f"of a limit: {verdict} (worst {worst_rss:.0f} MB, {worst_after:.3f} s)"
        + ("" if within_cap else "; a file was OVER the upload cap")
    )


def _peak_rss_mb() -> float:
    """This process's peak resident size (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024  # kB
    raise RuntimeError("no VmHWM in /proc/self/status")


def child(path: str, suffix: str, overrides: str) -> None:
    import django

    django.setup()
    from django.conf import settings

    from audit_app import import_reader
    from audit_app.models import Force, Role, RoleAssignment, User
    from audit_app.rounds import imports as case_import
    from audit_app.rounds.models import CaseImport

    for name, value in json.loads(overrides).items():
        setattr(settings, name, value)
    noticed: list[float] = []

    class NoticedRefusal(import_reader.FileRefused):
        def __init__(self, *args: object) -> None:
            noticed.append(time.monotonic())
            super().__init__(*args)

    import_reader.FileRefused = NoticedRefusal  # the reader raises, and case_import catches, it

    force = Force.objects.get()
    manager, _ = User.objects.get_or_create(username="bench.manager")
    RoleAssignment.objects.get_or_create(user=manager, role=Role.AUDIT_MANAGER, force=force)
    stored = Path(settings.MEDIA_ROOT) / "imports" / Path(path).name
    stored.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, stored)
    pending = CaseImport.objects.create(
        force=force,
        uploaded_by=manager,
        file_name=stored.name,
        file_format=suffix,
        file=f"imports/{stored.name}",
    )
    started = time.monotonic()
    checked = case_import.case_import_check(case_import_id=pending.pk)
    finished = time.monotonic()
    after = None
    if checked.state == "failed" and "time limit" in checked.failure_reason:
        after = finished - (started + case_import.import_limits().time_budget_seconds)
    elif checked.state == "failed" and noticed:
        after = finished - noticed[0]
    print(
        json.dumps(
            {
                "state": checked.state,
                "reason": checked.failure_reason,
                "accepted": checked.accepted_rows,
                "rejected": checked.rejected_rows,
                "seconds": finished - started,
                "after_limit": after,
                "rss_mb": _peak_rss_mb(),
            }
        )
    )


if __name__ == "__main__":
    if "--child" in sys.argv:
        child(*sys.argv[sys.argv.index("--child") + 1 :])
    else:
        run()
