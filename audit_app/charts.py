"""The report's charts, drawn by matplotlib as SVG to put inline in the HTML (and so in the PDF).

Figures are built with `matplotlib.figure.Figure` rather than pyplot, so nothing is kept in a global
registry between reports and the module is safe in threads. Text stays text (svg.fonttype "none"),
in Liberation Sans, the Arial-compatible font on the machine: smaller files, sharp type, and words
that can be searched and copied in the PDF. The output is deterministic (no date, fixed ids), and
every id is prefixed with the chart's name so several charts can share one document.

All text in a chart is literal. Theme, team and finding names are typed by users, and matplotlib
reads `$...$` in a label as maths: `$\\frac{1}{0}$` as a theme's name failed every later report of
its area. `LITERAL_TEXT` is in every chart's style, and `figure_svg`, which every chart passes
through, turns the maths parser off on each text of the figure before drawing it.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")

from django.utils.html import escape
from matplotlib.figure import Figure
from matplotlib.text import Text

from audit_app.statistics import percent, share_text

# GOV.UK green, yellow and red, with each segment's share written inside it and the figures in the
# table after each chart, so nothing depends on telling the colours apart. (Hatching would too,
# but WeasyPrint draws SVG patterns slowly: it was most of the PDF's drawing time.)
GRADE_COLOURS = ["#00703c", "#ffdd00", "#d4351c"]
BAR_COLOUR = "#1d70b8"
TEXT_COLOUR = "#0b0c0c"
# Text is drawn as given: never parsed as matplotlib's mathtext.
LITERAL_TEXT = {"text.parse_math": False}

_STYLE = {
    **LITERAL_TEXT,
    "svg.fonttype": "none",
    "svg.hashsalt": "case-audit",
    "font.family": "sans-serif",
    "font.sans-serif": ["Liberation Sans", "Arial", "DejaVu Sans"],
    "font.size": 9,
    "text.color": TEXT_COLOUR,
    "axes.labelcolor": TEXT_COLOUR,
    "axes.edgecolor": "#505a5f",
    "xtick.color": TEXT_COLOUR,
    "ytick.color": TEXT_COLOUR,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
_ID_REFERENCE = re.compile(r'(\bid="|url\(#|href="#)')
_WIDTH_INCHES = 6.6


_STYLE_ATTRIBUTE = re.compile(r'\sstyle="([^"]*)"')


def _presentation_attributes(match: re.Match) -> str:
    attributes = []
    for declaration in match.group(1).split(";"):
        prop, _, value = declaration.partition(":")
        if prop.strip() and value.strip():
            attributes.append(f' {prop.strip()}="{value.strip()}"')
    return "".join(attributes)


def figure_svg(
    figure: Figure,
    *,
    name: str,
    label: str,
    css_class: str = "report-chart__svg",
    fluid: bool = False,
    with_title: bool = False,
) -> str:
    """The figure as SVG to put inline in a page: labelled for screen readers, its ids prefixed
    with `name`, and no CSS (which a strict Content Security Policy and WeasyPrint both refuse).
    `fluid` lets it scale to its container; `with_title` adds a <title> as well as the label."""
    for text in figure.findobj(Text):
        text.set_parse_math(False)
    buffer = io.StringIO()
    with matplotlib.rc_context(LITERAL_TEXT):  # and the tick labels made while drawing
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.DOTALL)
    svg = _ID_REFERENCE.sub(lambda match: f"{match.group(1)}{name}-", svg)
    # Inline in HTML, a <style> element and style attributes would be read as the page's CSS
    # (WeasyPrint warns about every SVG property): use presentation attributes instead.
    svg = re.sub(r"<style[^>]*>.*?</style>\s*", "", svg, flags=re.DOTALL)
    svg = _STYLE_ATTRIBUTE.sub(_presentation_attributes, svg)
    if fluid:
        svg = re.sub(
            r'<svg ([^>]*?)width="[^"]*" height="[^"]*"', r'<svg \1width="100%"', svg, count=1
        )
    label = escape(label)
    svg = svg.replace(
        "<svg ",
        f'<svg role="img" aria-label="{label}" focusable="false" class="{css_class}" '
        'stroke-linejoin="round" stroke-linecap="butt" ',
        1,
    )
    if with_title:
        head_end = svg.index(">") + 1
        svg = f"{svg[:head_end]}\n<title>{label}</title>{svg[head_end:]}"
    return svg


def _svg(figure: Figure, name: str, label: str) -> str:
    return figure_svg(figure, name=name, label=label)


def _listed(items: Sequence[str]) -> str:
    items = [str(item) for item in items]
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def alt_text(label: str, description: str) -> str:
    """A chart's alternative text: what it is about (the caller's label: subject, scope, month and
    where its figures are), then what kind of chart it is and what it shows. Written on the SVG
    (aria-label, the preview) and given back by `svg_label` for the PDF's figure (its /Alt)."""
    return f"{label.rstrip('. ')}. {description}"


_ARIA_LABEL = re.compile(r'<svg [^>]*?aria-label="([^"]*)"')


def svg_label(svg: str) -> str:
    """The alternative text `figure_svg` wrote on a chart's SVG, unescaped."""
    match = _ARIA_LABEL.search(svg)
    return html.unescape(match[1]) if match else ""


def _grade_bars_text(bars: str, grade_labels: Sequence[str], total_at: str) -> str:
    return (
        f"Bar chart: {bars}, each divided into the share of audits graded "
        f"{_listed(grade_labels)}, with the number of audits {total_at}."
    )


def _legend(axes, labels: Sequence[str]) -> None:
    axes.legend(
        labels,
        loc="lower left",
        bbox_to_anchor=(0.0, 1.0),
        ncols=len(labels),
        frameon=False,
        handlelength=1.2,
        borderaxespad=0.2,
    )


def _figure(height: float, left: float, bottom: float, top: float, right: float = 0.3) -> Figure:
    """A figure with fixed margins in inches: much faster than a layout engine, and enough for
    charts whose labels we know."""
    figure = Figure(figsize=(_WIDTH_INCHES, height))
    figure.subplots_adjust(
        left=left / _WIDTH_INCHES,
        right=1 - right / _WIDTH_INCHES,
        bottom=bottom / height,
        top=1 - top / height,
    )
    return figure


def _label_width(labels: Sequence[str]) -> float:
    """Room for the longest label at 9 pt, in inches (Liberation Sans averages 0.5 em)."""
    return 0.2 + 0.058 * max((len(label) for label in labels), default=1)


def _segment_labels(axes, bars, counts: Sequence[tuple[int, int]], colour_index: int) -> None:
    """The share written inside each segment wide enough to hold it, so the chart reads without
    telling the colours apart; written as every other share is (statistics.share_text): a
    percentage from five audits up, else the count ("1 of 3")."""
    text_colour = TEXT_COLOUR if colour_index == 1 else "#ffffff"
    for bar, (count, total) in zip(bars, counts, strict=True):
        share = percent(count, total)
        if share is None or share < 9:
            continue
        x = bar.get_x() + bar.get_width() / 2
        y = bar.get_y() + bar.get_height() / 2
        axes.text(
            x,
            y,
            share_text(count, total),
            ha="center",
            va="center",
            fontsize=7.5,
            color=text_colour,
        )


def grade_share_bars(
    *,
    name: str,
    label: str,
    categories: Sequence[str],
    counts: Sequence[Sequence[int]],
    grade_labels: Sequence[str],
) -> str:
    """Horizontal 100% bars: the share of each grade per category, with the count at the end."""
    with matplotlib.rc_context(_STYLE):
        height = 0.85 + 0.3 * len(categories)
        figure = _figure(height, left=_label_width(categories), bottom=0.45, top=0.3, right=0.35)
        axes = figure.add_subplot()
        positions = list(range(len(categories)))[::-1]
        left = [0.0] * len(categories)
        for g in range(len(grade_labels)):
            shares = [100 * row[g] / sum(row) if sum(row) else 0 for row in counts]
            bars = axes.barh(
                positions,
                shares,
                left=left,
                height=0.7,
                color=GRADE_COLOURS[g],
                edgecolor="white",
                linewidth=0.6,
            )
            _segment_labels(axes, bars, [(row[g], sum(row)) for row in counts], g)
            left = [a + b for a, b in zip(left, shares, strict=True)]
        for y, row in zip(positions, counts, strict=True):
            axes.text(101.5, y, f"{sum(row)}", va="center", fontsize=8)
        axes.set_yticks(positions, categories)
        axes.set_xlim(0, 100)
        axes.set_ylim(-0.5, len(categories) - 0.5)
        axes.set_xticks([0, 25, 50, 75, 100])
        axes.set_xlabel("Share of audits (%); the number of audits at the end of each bar")
        axes.tick_params(axis="y", length=0)
        _legend(axes, grade_labels)
        bars = f"one horizontal bar for each of {_listed(categories)}"
        described = _grade_bars_text(bars, grade_labels, "at the end of each bar")
        return _svg(figure, name, alt_text(label, described))


def trend_bars(
    *,
    name: str,
    label: str,
    months: Sequence[str],
    counts: Sequence[Sequence[int]],
    grade_labels: Sequence[str],
) -> str:
    """Vertical 100% stacked bars, one per month, with the number of audits above each."""
    with matplotlib.rc_context(_STYLE):
        figure = _figure(3.0, left=0.6, bottom=0.35, top=0.35)
        axes = figure.add_subplot()
        positions = list(range(len(months)))
        bottom = [0.0] * len(months)
        for g in range(len(grade_labels)):
            shares = [100 * row[g] / sum(row) if sum(row) else 0 for row in counts]
            bars = axes.bar(
                positions,
                shares,
                bottom=bottom,
                width=0.65,
                color=GRADE_COLOURS[g],
                edgecolor="white",
                linewidth=0.6,
            )
            _segment_labels(axes, bars, [(row[g], sum(row)) for row in counts], g)
            bottom = [a + b for a, b in zip(bottom, shares, strict=True)]
        for x, row in zip(positions, counts, strict=True):
            axes.text(x, 101, f"n={sum(row)}", ha="center", va="bottom", fontsize=8)
        axes.set_xticks(positions, months)
        axes.set_ylim(0, 110)
        axes.set_yticks([0, 25, 50, 75, 100])
        axes.set_ylabel("Share of audits (%)")
        axes.tick_params(axis="x", length=0)
        _legend(axes, grade_labels)
        span = f"from {months[0]} to {months[-1]}" if len(months) > 1 else f"for {months[0]}"
        bars = f"one column for each month {span}"
        described = _grade_bars_text(bars, grade_labels, "above each column")
        return _svg(figure, name, alt_text(label, described))


def count_bars(*, name: str, label: str, categories: Sequence[str], values: Sequence[int]) -> str:
    """Horizontal bars of counts, largest first."""
    with matplotlib.rc_context(_STYLE):
        height = 0.55 + 0.27 * len(categories)
        figure = _figure(height, left=_label_width(categories), bottom=0.45, top=0.1, right=0.3)
        axes = figure.add_subplot()
        positions = list(range(len(categories)))[::-1]
        axes.barh(positions, values, height=0.65, color=BAR_COLOUR)
        for y, value in zip(positions, values, strict=True):
            axes.text(value, y, f" {value}", va="center", fontsize=8)
        axes.set_yticks(positions, categories)
        axes.set_ylim(-0.5, len(categories) - 0.5)
        top = max(values, default=1) or 1
        axes.set_xlim(0, top * 1.12)
        axes.xaxis.get_major_locator().set_params(integer=True)
        axes.set_xlabel("Audits tagged")
        axes.tick_params(axis="y", length=0)
        counted = _listed([f"{c} ({v})" for c, v in zip(categories, values, strict=True)])
        described = f"Bar chart: the number of audits tagged with each, largest first: {counted}."
        return _svg(figure, name, alt_text(label, described))
