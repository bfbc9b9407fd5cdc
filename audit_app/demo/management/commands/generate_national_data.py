"""A national-scale synthetic data set for benchmarks: forces x 3 areas x 10 cases x months.

43 forces and 60 months give 77,400 moderated audits and about 1.7 million answers. Cases, audits
and answers are made by INSERT ... SELECT over generate_series, in PostgreSQL itself, so the data
set is built in seconds rather than the hours row-by-row saving would take. PostgreSQL only.
Nothing here resembles a real case: references are N<round>-<n>.
"""

from __future__ import annotations

import datetime
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from audit_app.audits.models import AuditRound, QuestionSet, RoundState
from audit_app.models import Area, Force, Role, RoleAssignment, Team, TeamType, User
from audit_app.months import add_months

TEAMS = [
    ("child-protection", "Child protection team", TeamType.SPECIALIST),
    ("cse", "Child sexual exploitation team", TeamType.SPECIALIST),
    ("online", "Online child abuse investigation team", TeamType.SPECIALIST),
    ("custody", "Custody", TeamType.SPECIALIST),
    ("response", "Response", TeamType.NON_SPECIALIST),
    ("neighbourhood", "Neighbourhood policing", TeamType.NON_SPECIALIST),
    ("cid", "Criminal investigation department", TeamType.NON_SPECIALIST),
]
AREAS_PER_FORCE = 3
CASES_PER_ROUND = 10

CASES_SQL = """
INSERT INTO audit_app_case (area_id, reference, theme_id, team_id, station, occurred_on,
                            imported_at)
SELECT r.area_id, 'N' || r.id || '-' || g.n,
       themes.ids[1 + (g.n - 1) %% array_length(themes.ids, 1)],
       teams.ids[1 + (g.n + r.id) %% array_length(teams.ids, 1)],
       'Station ' || (1 + (g.n %% 3)), r.month - 10 - g.n, now()
FROM audit_app_auditround r
CROSS JOIN generate_series(1, %(cases)s) AS g(n)
CROSS JOIN (SELECT array_agg(id ORDER BY display_order) AS ids FROM audit_app_casetheme) themes
CROSS JOIN LATERAL (
    SELECT array_agg(t.id ORDER BY t.id) AS ids FROM audit_app_team t WHERE t.area_id = r.area_id
) teams
WHERE r.area_id IN (SELECT id FROM audit_app_area WHERE force_id = ANY(%(forces)s))
"""

AUDITS_SQL = """
INSERT INTO audit_app_audit (round_id, case_id, auditor_id, question_set_id, state, grade,
    suggested_grade, moderated_grade, grade_reason, good_practice, areas_for_improvement,
    revision, is_blind, created_at, updated_at, started_at, submitted_at, moderated_at)
SELECT r.id, c.id, %(auditor)s, %(question_set)s, 'moderated', grades.auditor,
       grades.auditor, grades.moderated, '', '', '', 3, false, now(), now(), now(), now(), now()
FROM audit_app_auditround r
JOIN audit_app_case c ON c.area_id = r.area_id AND c.reference LIKE 'N' || r.id || '-%%'
CROSS JOIN LATERAL (
    SELECT (ARRAY['good', 'requires_improvement', 'inadequate'])[1 + (c.id * 7 %% 10) / 4]
               AS auditor,
           (ARRAY['good', 'requires_improvement', 'inadequate'])[1 + (c.id * 3 %% 10) / 4]
               AS moderated
) grades
WHERE r.area_id IN (SELECT id FROM audit_app_area WHERE force_id = ANY(%(forces)s))
"""

ANSWERS_SQL = """
INSERT INTO audit_app_answer (audit_id, question_id, value, comment, updated_at)
SELECT a.id, q.id, v.value,
       CASE WHEN v.value IN ('partly', 'no') THEN 'Synthetic comment.' ELSE '' END, now()
FROM audit_app_audit a
JOIN audit_app_round_bench rb ON rb.id = a.round_id
CROSS JOIN (SELECT id FROM audit_app_question WHERE question_set_id = %(question_set)s
            ORDER BY number LIMIT %(questions)s) q
CROSS JOIN LATERAL (
    SELECT (ARRAY['yes', 'yes', 'yes', 'yes', 'yes', 'partly', 'partly', 'no', 'na',
                  'yes'])[1 + ((a.id * 31 + q.id * 17) %% 10)] AS value
) v
"""


class Command(BaseCommand):
    help = "Generate a national-scale synthetic data set for benchmarks (PostgreSQL only)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--forces", type=int, default=43)
        parser.add_argument("--months", type=int, default=60)
        parser.add_argument("--questions", type=int, default=22)

    def handle(self, *args, forces: int, months: int, questions: int, **options) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("generate_national_data needs PostgreSQL (set DATABASE_URL).")
        question_set = QuestionSet.objects.get(version=1)
        started = time.perf_counter()
        with transaction.atomic():
            force_ids, auditor = self._organisation(forces, months)
            with connection.cursor() as cursor:
                cursor.execute(CASES_SQL, {"cases": CASES_PER_ROUND, "forces": force_ids})
                cases = cursor.rowcount
                cursor.execute(
                    AUDITS_SQL,
                    {"auditor": auditor.pk, "question_set": question_set.pk, "forces": force_ids},
                )
                audits = cursor.rowcount
                cursor.execute(
                    "CREATE TEMPORARY TABLE audit_app_round_bench ON COMMIT DROP AS "
                    "SELECT r.id FROM audit_app_auditround r JOIN audit_app_area a "
                    "ON a.id = r.area_id WHERE a.force_id = ANY(%s)",
                    [force_ids],
                )
                cursor.execute(
                    ANSWERS_SQL, {"question_set": question_set.pk, "questions": questions}
                )
                answers = cursor.rowcount
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.stdout.write(
            f"{forces} forces, {forces * AREAS_PER_FORCE} areas: {cases:,} cases, "
            f"{audits:,} audits, {answers:,} answers in {time.perf_counter() - started:.1f} s"
        )

    def _organisation(self, forces: int, months: int) -> tuple[list[int], User]:
        made = Force.objects.bulk_create(
            Force(code=f"bench-{n:02d}", name=f"Benchmark Constabulary {n:02d}")
            for n in range(1, forces + 1)
        )
        areas = Area.objects.bulk_create(
            Area(force=force, code=f"area-{a}", name=f"Area {a}")
            for force in made
            for a in range(1, AREAS_PER_FORCE + 1)
        )
        Team.objects.bulk_create(
            Team(area=area, code=code, name=name, team_type=team_type)
            for area in areas
            for code, name, team_type in TEAMS
        )
        first = add_months(datetime.date.today().replace(day=1), -months)
        AuditRound.objects.bulk_create(
            AuditRound(
                area=area,
                month=add_months(first, m),
                state=RoundState.REPORTED,
                due_date=add_months(first, m + 1),
            )
            for area in areas
            for m in range(months)
        )
        auditor, _ = User.objects.get_or_create(username="bench.auditor")
        inspector, _ = User.objects.get_or_create(username="bench.inspector")
        RoleAssignment.objects.bulk_create(
            RoleAssignment(user=inspector, role=Role.INSPECTOR, force=force) for force in made
        )
        return [force.pk for force in made], auditor
