"""The PVP report's PDF and the feedback sheet are tagged PDFs (PDF/UA-1), as the Public Sector
Bodies Accessibility Regulations ask of documents as well as pages.

Each is opened with pikepdf and its structure tree read: marked, with the document's language and
title; headings H1 then H2 in the order they are printed; tables whose header cells are TH with
their scope; each chart a Figure whose alternative text names what the chart shows; and the
figures still read back by pypdf as the existing tests read them.
"""

from __future__ import annotations

import datetime
import io
import itertools
import re

import pikepdf
import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from audit_app.audits.models import Grade
from audit_app.models import Area, Force, TeamType
from audit_app.reports.rendering import render_report_html, render_report_pdf
from audit_app.reports.selectors import report_content
from tests.builders import Planned, build_month, people_for
from tests.walk_helpers import agreed_audit

MONTH = datetime.date(2026, 3, 1)

pytestmark = pytest.mark.django_db


def structure(pdf: pikepdf.Pdf) -> list[tuple[str, pikepdf.Dictionary]]:
    """Every structure element, depth first, in the tree's order (the reading order)."""
    found: list[tuple[str, pikepdf.Dictionary]] = []

    def walk(node) -> None:
        if isinstance(node, pikepdf.Array):
            for kid in node:
                walk(kid)
        elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
            # A block inside a heading would be tagged as a second heading inside the first:
            # the cover's scope line is inline after a line break, so each heading is one.
            found.append((str(node.S)[1:], node))
            if "/K" in node:
                walk(node.K)

    walk(pdf.Root.StructTreeRoot.K)
    return found


def marked_text(data: bytes) -> dict[tuple[int, int], str]:
    """The text of each marked-content sequence, by (page index, MCID): pypdf decodes the glyphs,
    and its operator visitor says which sequence each piece of text is drawn in."""
    texts: dict[tuple[int, int], str] = {}
    for index, page in enumerate(PdfReader(io.BytesIO(data)).pages):
        stack: list[int | None] = []

        def operator(op, args, cm, tm, stack=stack):
            if op == b"BDC":
                properties = args[1] if len(args) > 1 else None
                stack.append(properties.get("/MCID") if hasattr(properties, "get") else None)
            elif op == b"BMC":
                stack.append(None)
            elif op == b"EMC" and stack:
                stack.pop()

        def text(value, cm, tm, font, size, stack=stack, index=index):
            mcid = next((m for m in reversed(stack) if m is not None), None)
            if mcid is not None and value:
                texts[index, mcid] = texts.get((index, mcid), "") + value

        page.extract_text(visitor_operand_before=operator, visitor_text=text)
    return texts


def text_of(pdf: pikepdf.Pdf, texts: dict, element: pikepdf.Dictionary) -> str:
    """An element's text: the marked content its kids point to, in the tree's order."""
    pages = {page.obj.objgen: index for index, page in enumerate(pdf.pages)}
    found: list[str] = []

    def collect(node, page) -> None:
        if isinstance(node, pikepdf.Array):
            for kid in node:
                collect(kid, page)
        elif isinstance(node, pikepdf.Dictionary):
            page = node.get("/Pg", page)
            if "/K" in node:
                collect(node.K, page)
        elif isinstance(node, int):
            found.append(texts.get((pages[page.objgen], int(node)), ""))

    collect(element, element.get("/Pg"))
    return " ".join(" ".join(found).split())


def assert_tagged(pdf: pikepdf.Pdf, *, title: str) -> list[tuple[str, pikepdf.Dictionary]]:
    assert bool(pdf.Root.MarkInfo.Marked) is True
    assert str(pdf.Root.Lang) == "en-GB"
    assert str(pdf.docinfo.Title) == title
    assert bool(pdf.Root.ViewerPreferences.DisplayDocTitle) is True  # the title, not the file
    with pdf.open_metadata() as xmp:
        assert xmp.get("pdfuaid:part") == "1"
    assert pdf.Root.StructTreeRoot.K[0].S == "/Document"
    return structure(pdf)


@pytest.fixture
def report_pdf(reference_data) -> bytes:
    """A force-wide March 2026 with February before it: every chart is drawn."""
    west, south = Area.objects.get(code="west"), Area.objects.get(code="south")
    build_month(
        area=west,
        month=MONTH,
        people=people_for(west),
        plan=[
            Planned("DA", TeamType.NON_SPECIALIST, Grade.GOOD, Grade.INADEQUATE,
                    tags=("Missed referral",), improvement="Refer to the MASH the same day."),
            Planned("MISS", TeamType.SPECIALIST, Grade.REQUIRES_IMPROVEMENT,
                    tags=("Supervision lacking",)),
            Planned("CSE", TeamType.SPECIALIST, Grade.GOOD, publicise=True,
                    good_practice="Strategy discussion held within four hours."),
        ],
    )  # fmt: skip
    build_month(
        area=south,
        month=MONTH,
        people=people_for(south),
        plan=[Planned("DA", TeamType.SPECIALIST, Grade.INADEQUATE)],
    )
    build_month(
        area=west,
        month=datetime.date(2026, 2, 1),
        people=people_for(west),
        plan=[Planned("DA", original=Grade.GOOD)],
    )
    content = report_content(
        force=Force.objects.get(), area=None, month=MONTH, cutoff=timezone.now()
    )
    html = render_report_html(content, number=1, generated_at=timezone.now(), for_pdf=True)
    pdf, pages = render_report_pdf(html)
    assert pages == len(PdfReader(io.BytesIO(pdf)).pages)
    return pdf


def test_the_report_pdf_is_tagged_with_language_title_and_headings_in_order(report_pdf):
    force = Force.objects.get()
    texts = marked_text(report_pdf)
    with pikepdf.open(io.BytesIO(report_pdf)) as pdf:
        elements = assert_tagged(
            pdf, title=f"PVP meeting report: {force.name} (whole force), March 2026 (version 1)"
        )
        headings = [
            (tag, text_of(pdf, texts, element)) for tag, element in elements if tag[0] == "H"
        ]
    # One H1, first; then the H2s in the order the report prints them, numbered 1, 2, 3...
    assert headings[0][0] == "H1" and "PVP meeting report" in headings[0][1]
    assert [tag for tag, _ in headings].count("H1") == 1
    assert headings[1] == ("H2", "Contents")
    numbered = [
        int(match[1])
        for tag, text in headings
        if tag == "H2" and (match := re.match(r"(\d+)\. ", text))
    ]
    assert numbered == list(range(1, len(numbered) + 1)) and len(numbered) >= 10
    # A tree: an H3 only under the H2 before it, never straight after the H1.
    levels = [int(tag[1]) for tag, _ in headings]
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels))


def test_the_report_pdf_tables_have_header_cells(report_pdf):
    texts = marked_text(report_pdf)
    with pikepdf.open(io.BytesIO(report_pdf)) as pdf:
        elements = structure(pdf)
        tables = [element for tag, element in elements if tag == "Table"]
        assert len(tables) >= 5
        for table in tables:
            cells = [(tag, cell) for tag, cell in structure_of(table) if tag in ("TH", "TD")]
            headers = [cell for tag, cell in cells if tag == "TH"]
            assert headers, "a table without header cells"
            # Each data cell names its headers (column, and row where the row has one).
            for tag, cell in cells:
                if tag == "TD" and text_of(pdf, texts, cell).strip():
                    assert len(cell.A.Headers) >= 1
        # The grade table's column headers, read as the table prints them.
        first = [text_of(pdf, texts, cell) for tag, cell in structure_of(tables[0]) if tag == "TH"]
        assert "Case theme" in first and "Good" in first and "Audits" in first


def structure_of(element: pikepdf.Dictionary) -> list[tuple[str, pikepdf.Dictionary]]:
    found: list[tuple[str, pikepdf.Dictionary]] = []

    def walk(node) -> None:
        if isinstance(node, pikepdf.Array):
            for kid in node:
                walk(kid)
        elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
            found.append((str(node.S)[1:], node))
            if "/K" in node:
                walk(node.K)

    walk(element.K)
    return found


def test_each_chart_is_a_figure_whose_alt_text_says_what_it_shows(report_pdf):
    with pikepdf.open(io.BytesIO(report_pdf)) as pdf:
        figures = [element for tag, element in structure(pdf) if tag == "Figure"]
        alts = [str(figure.get("/Alt", "")) for figure in figures]
    assert len(alts) == 4, alts
    subjects = ["case theme", "team type", "month by month", "finding themes"]
    for alt, subject in zip(alts, subjects, strict=True):
        assert subject in alt.lower(), alt
        assert "March 2026" in alt
        assert alt.lower().strip() not in ("chart", "image", "figure")
    # Each names the kind of chart and the grades it shares out (or what it counts).
    assert all("bar chart" in alt.lower() for alt in alts)
    assert all("good, requires improvement and inadequate" in alt.lower() for alt in alts[:3])


def test_the_tagged_report_still_reads_back_its_figures(report_pdf):
    text = " ".join(
        " ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(report_pdf)).pages
    )
    assert "4 moderated audits of March 2026 are counted." in text
    assert "Grades by case theme" in text and "OFFICIAL-SENSITIVE" in text


def test_the_feedback_sheet_pdf_is_tagged_the_same_way(client, reference_data):
    audit, moderator = agreed_audit()
    client.force_login(moderator)
    response = client.get(reverse("audit_feedback_sheet", args=[audit.pk]), {"format": "pdf"})
    assert response["Content-Type"] == "application/pdf"
    texts = marked_text(response.content)
    with pikepdf.open(io.BytesIO(response.content)) as pdf:
        elements = assert_tagged(pdf, title=f"Feedback sheet – case {audit.case.reference}")
        headings = [
            (tag, text_of(pdf, texts, element)) for tag, element in elements if tag[0] == "H"
        ]
        tables = [element for tag, element in elements if tag == "Table"]
        assert all(any(tag == "TH" for tag, _ in structure_of(table)) for table in tables)
    assert headings[0] == ("H1", f"Case audit feedback: case {audit.case.reference}")
    assert [tag for tag, _ in headings[1:]] == ["H2"] * (len(headings) - 1)
    assert len(headings) >= 3
