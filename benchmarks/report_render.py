"""Time and memory to compile and render the force-wide PVP report, beside plain WeasyPrint.

Runs in a child process against a throwaway database (a test database on the server DATABASE_URL
names, or SQLite in memory): loads the reference data, builds moderated audits with the test
builders, then measures the force-wide report for

  month   30 audits: one month, three areas of ten;
  year   360 audits: twelve such months, the report on the last (the trend reads seven);
  busy   360 audits all in the month reported: long lists, the most pages.

Each is compiled (database aggregates) and rendered (matplotlib SVG charts, template, WeasyPrint
PDF) three times after a warm-up, each run followed by WeasyPrint rendering plain prose of the same
page count; the medians are printed with the ratio, in wall time and in CPU time (this machine's
two cores are shared, and CPU time is the steadier figure under load), with wall time by stage.
Memory: the peak of Python allocations during one run (tracemalloc; WeasyPrint's and Pango's native
memory is not in it) and the process's peak RSS so far.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 3


def run() -> None:
    workdir = tempfile.mkdtemp(prefix="case-audit-bench-reports-")
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="audit_app.settings",
        DEBUG="0",
        SECRET_KEY=env.get("SECRET_KEY")
        or "benchmark-only-secret-key-never-used-in-any-deployment",
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        LOG_LEVEL="WARNING",
        CELERY_BROKER_URL="",
        MEDIA_ROOT=workdir,
        REPORT_STORAGE="local",
    )
    subprocess.run(
        [sys.executable, "-m", "benchmarks.report_render"], cwd=ROOT, env=env, check=True
    )


# --- The child process --------------------------------------------------------------------------


def _plain_html(pages: int) -> str:
    paragraph = (
        "<p>The detective inspector reports to the monthly meeting, where thematic findings are "
        "discussed and actions agreed to achieve improvement, for example through briefings to "
        "officers and staff, email messages to all officers and staff, messages on the force "
        "intranet or internal media campaigns.</p>"
    )
    body = "".join(
        f'<section style="break-after: page"><h2>Section {n}</h2>{paragraph * 9}</section>'
        for n in range(1, pages + 1)
    )
    return (
        "<!DOCTYPE html><html lang='en-GB'><head><meta charset='utf-8'><title>Plain</title>"
        "<style>@page { size: A4; margin: 20mm 16mm 22mm } "
        "body { font: 11pt/1.4 Arial, 'Liberation Sans', sans-serif }</style></head>"
        f"<body>{body}</body></html>"
    )


def _child() -> None:
    import resource
    import tracemalloc

    import django

    django.setup()
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    database = settings.DATABASES["default"]
    # A throwaway database beside the configured one (SQLite: in memory), never the real one.
    if not database["ENGINE"].endswith("sqlite3"):
        database["TEST"]["NAME"] = f"{database['NAME']}_bench_reports"

    from django.core.management import call_command
    from django.test.utils import setup_databases, teardown_databases
    from django.utils import timezone
    from weasyprint import HTML

    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        from django.template.loader import render_to_string

        from audit_app.models import Force
        from audit_app.months import add_months, current_month
        from audit_app.reports.rendering import TEMPLATE, render_report_pdf, report_context
        from audit_app.reports.selectors import report_content
        from tests.builders import build_months

        call_command("load_reference_data", verbosity=0)
        force = Force.objects.get(code="lancashire")
        areas = list(force.areas.order_by("pk"))
        last = add_months(current_month(), -1)
        busy = add_months(current_month(), -30)

        def compile_and_render(month) -> dict:
            """One report: wall and CPU seconds for each stage, the pages and the PDF's size."""
            marks = [(time.perf_counter(), time.process_time())]

            def mark():
                marks.append((time.perf_counter(), time.process_time()))

            content = report_content(force=force, area=None, month=month, cutoff=timezone.now())
            mark()
            context = report_context(
                content, number=1, generated_at=timezone.now(), for_pdf=True
            )  # the charts are drawn here
            mark()
            html = render_to_string(TEMPLATE, context)
            mark()
            pdf, pages = render_report_pdf(html)
            mark()
            stages = ["compile", "charts", "template", "weasyprint"]
            wall = {n: marks[i + 1][0] - marks[i][0] for i, n in enumerate(stages)}
            cpu = {n: marks[i + 1][1] - marks[i][1] for i, n in enumerate(stages)}
            return {"wall": wall, "cpu": cpu, "pages": pages, "size": len(pdf)}

        def plain(pages: int) -> tuple[float, float]:
            html = _plain_html(pages)
            started, cpu = time.perf_counter(), time.process_time()
            HTML(string=html).write_pdf()
            return time.perf_counter() - started, time.process_time() - cpu

        engine = database["ENGINE"].rsplit(".", 1)[-1]
        print(f"PVP report, force-wide: compile and render, median of {RUNS} runs ({engine})")
        print(
            "  each run: compile (database) + charts (matplotlib SVG) + template + WeasyPrint; "
            "plain: WeasyPrint on prose of the same page count, runs interleaved"
        )
        build_months(areas=areas, last_month=last, months=1, per_area=10, seed=1)
        compile_and_render(last)  # warm-up: imports, fonts, template cache
        assert len(HTML(string=_plain_html(7)).render().pages) == 7

        scenarios = [
            ("month", "30 audits in one month", last, None),
            ("year", "360 audits over 12 months", last, (11, 10)),
            ("busy", "360 audits in the month reported", busy, "busy"),
        ]
        for name, label, month, extra in scenarios:
            if extra == "busy":
                build_months(areas=areas, last_month=busy, months=1, per_area=120, seed=3)
            elif extra:
                months, per_area = extra
                build_months(
                    areas=areas,
                    last_month=add_months(last, -1),
                    months=months,
                    per_area=per_area,
                    seed=2,
                )
            tracemalloc.start()
            compile_and_render(month)
            _, python_peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            runs, plains = [], []
            for _ in range(RUNS):
                runs.append(compile_and_render(month))
                plains.append(plain(runs[-1]["pages"]))
            pages, size = runs[-1]["pages"], runs[-1]["size"]

            def median(clock, stage=None, runs=runs):
                return statistics.median(
                    r[clock][stage] if stage else sum(r[clock].values()) for r in runs
                )

            total_wall, total_cpu = median("wall"), median("cpu")
            plain_wall = statistics.median(p[0] for p in plains)
            plain_cpu = statistics.median(p[1] for p in plains)
            rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(
                f"  {name:5} {label:33} {pages:3} pages {size / 1024:4.0f} KB  "
                f"total {total_wall:5.2f} s wall {total_cpu:5.2f} s CPU   "
                f"plain {plain_wall:5.2f} s wall {plain_cpu:5.2f} s CPU   "
                f"ratio {total_wall / plain_wall:4.1f}x wall {total_cpu / plain_cpu:4.1f}x CPU"
            )
            stages = "  ".join(
                f"{stage} {median('wall', stage):4.2f}"
                for stage in ("compile", "charts", "template", "weasyprint")
            )
            print(
                f"  {'':5} wall by stage (s): {stages}   "
                f"memory: Python peak {python_peak / 2**20:4.1f} MB, process peak RSS "
                f"{rss_mb:4.0f} MB"
            )
    finally:
        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    _child()
