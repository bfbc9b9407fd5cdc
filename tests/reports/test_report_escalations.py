"""The report's safeguarding escalations: figures read back from the PDF equal the database's."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from audit_app.audits.models import Audit, EscalationState, SafeguardingEscalation
from audit_app.models import Area, TeamType
from audit_app.reports import services
from audit_app.reports.models import PvpReportVersion
from audit_app.reports.rendering import render_report_html
from audit_app.reports.selectors import report_content
from tests import factories
from tests.builders import Planned, build_month, pdf_text, people_for

MONTH = datetime.date(2026, 3, 1)

pytestmark = pytest.mark.django_db


def at(day: int, month: datetime.date = MONTH) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(month.year, month.month, day, 10))


def escalate(audit, *, raised, respond_by, responded=None):
    escalation = factories.SafeguardingEscalationFactory(audit=audit, respond_by=respond_by)
    fields = {"raised_at": raised}
    if responded is not None:
        fields.update(
            state=EscalationState.RESOLVED,
            response="Referred to children's social care.",
            responded_by=audit.auditor,
            responded_at=responded,
            action_taken_on=responded.date(),
        )
    SafeguardingEscalation.objects.filter(pk=escalation.pk).update(**fields)


@pytest.fixture
def escalations(reference_data):
    """West: one raised and answered this month, one overdue, one open in time, one from
    February still open and overdue, one from February answered in February. South: one open."""
    west, south = Area.objects.get(code="west"), Area.objects.get(code="south")
    for area in (west, south):
        build_month(
            area=area,
            month=MONTH,
            people=people_for(area),
            plan=[Planned("DA", TeamType.SPECIALIST), Planned("MISS", TeamType.NON_SPECIALIST)],
        )
    west_audits = list(Audit.objects.filter(round__area=west).order_by("pk"))
    south_audit = Audit.objects.filter(round__area=south).order_by("pk").first()
    future = timezone.now() + datetime.timedelta(days=30)
    escalate(west_audits[0], raised=at(3), respond_by=at(4), responded=at(5))  # answered late
    escalate(west_audits[1], raised=at(10), respond_by=at(11))  # overdue
    escalate(west_audits[0], raised=at(20), respond_by=future)  # open, in time
    feb = datetime.date(2026, 2, 1)
    escalate(west_audits[1], raised=at(20, feb), respond_by=at(21, feb))  # overdue since Feb
    escalate(west_audits[1], raised=at(2, feb), respond_by=at(3, feb), responded=at(3, feb))
    escalate(south_audit, raised=at(15), respond_by=future)  # South: open
    return west, south


def expected(scope_filter: dict) -> dict:
    """The figures straight from the database, as the report defines them."""
    cutoff = timezone.now()
    rows = SafeguardingEscalation.objects.filter(**scope_filter)
    in_month = {"raised_at__gte": at(1), "raised_at__lt": at(1, datetime.date(2026, 4, 1))}
    open_rows = rows.filter(state=EscalationState.OPEN)
    return {
        "raised": rows.filter(**in_month).count(),
        "open": open_rows.count(),
        "overdue": open_rows.filter(respond_by__lt=cutoff).count(),
        "responded": rows.filter(
            responded_at__gte=at(1), responded_at__lt=at(1, datetime.date(2026, 4, 1))
        ).count(),
    }


def compile_pdf(django_capture_on_commit_callbacks, *, force, area) -> tuple[dict, str]:
    with django_capture_on_commit_callbacks(execute=True):
        outcome = services.report_request(force=force, area=area, month=MONTH, by=None)
    version = PvpReportVersion.objects.get(pk=outcome.version.pk)
    with version.file.open("rb") as pdf:
        return version.content, pdf_text(pdf.read())


@pytest.mark.parametrize("scope", ["area", "force"])
def test_pdf_escalation_figures_match_the_database(
    escalations, django_capture_on_commit_callbacks, scope
):
    west, _ = escalations
    area = west if scope == "area" else None
    content, text = compile_pdf(django_capture_on_commit_callbacks, force=west.force, area=area)
    figures = expected(
        {"audit__round__area": west} if area else {"audit__round__area__force": west.force}
    )
    if area:
        assert figures == {"raised": 3, "open": 3, "overdue": 2, "responded": 1}
    else:
        assert figures == {"raised": 4, "open": 4, "overdue": 2, "responded": 1}
    assert content["escalations"]["figures"] == figures
    section = text
    assert f"{figures['raised']} raised in March 2026" in section
    assert f"{figures['open']} still open" in section
    assert f"{figures['overdue']} overdue" in section
    assert f"{figures['responded']} with a response recorded in March 2026" in section
    # The section comes straight after the summary, and names cases without the concern.
    assert text.index("Safeguarding escalations") < text.index("Grades by case theme")
    assert "The suspect still lives at the address" not in text
    references = [item["reference"] for item in content["escalations"]["items"]]
    # Table cells may wrap a long reference, so references are looked for without spaces.
    unspaced = text.replace(" ", "")
    for reference in references:
        assert reference in unspaced
    assert len(references) == figures["open"] + figures["responded"]


def test_escalations_after_the_cutoff_wait_for_the_next_compile(escalations):
    west, _ = escalations
    content = report_content(force=west.force, area=west, month=MONTH, cutoff=at(12))
    # At noon on the 12th: the first answered, the second overdue, the third not yet raised.
    assert content["escalations"]["figures"] == {
        "raised": 2,
        "open": 2,
        "overdue": 2,
        "responded": 1,
    }


def test_a_report_compiled_before_escalations_says_so(reference_data):
    west = Area.objects.get(code="west")
    content = report_content(force=west.force, area=west, month=MONTH, cutoff=timezone.now())
    del content["escalations"]
    html = render_report_html(content, number=1, generated_at=timezone.now(), for_pdf=False)
    assert "compiled before safeguarding escalations were reported" in html
