"""The report's charts, drawn by matplotlib as SVG to put inline in the HTML (and so in the PDF).

Figures are built with `matplotlib.figure.Figure` rather than pyplot, so nothing is kept in a global
registry between reports and the module is safe in threads. Text stays text (svg.fonttype "none"),
in Liberation Sans, the Arial-compatible font on the machine: smaller files, sharp type, and words
that can be searched and copied in the PDF. The output is deterministic (no date, fixed ids), and
every id is prefixed with the chart's name so several charts can share one document.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure

# GOV.UK colours, light to dark enough to tell apart in grey: green, yellow, red.
GRADE_COLOURS = ["#00703c", "#ffdd00", "#d4351c"]
GRADE_HATCHES = ["", "..", "//"]
BAR_COLOUR = "#1d70b8"
TEXT_COLOUR = "#0b0c0c"

_STYLE = {
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
    "hatch.color": "#0b0c0c",
    "hatch.linewidth": 0.4,
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


def _svg(figure: Figure, name: str, label: str) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.DOTALL)
    svg = _ID_REFERENCE.sub(lambda match: f"{match.group(1)}{name}-", svg)
    # Inline in HTML, a <style> element and style attributes would be read as the page's CSS
    # (WeasyPrint warns about every SVG property): use presentation attributes instead.
    svg = re.sub(r"<style[^>]*>.*?</style>\s*", "", svg, flags=re.DOTALL)
    svg = _STYLE_ATTRIBUTE.sub(_presentation_attributes, svg)
    label = label.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return svg.replace(
        "<svg ",
        f'<svg role="img" aria-label="{label}" class="report-chart__svg" '
        'stroke-linejoin="round" stroke-linecap="butt" ',
        1,
    )


def _legend(axes, labels: Sequence[str]) -> None:
    axes.legend(
        labels,
        loc="lower center",
        bbox_to_anchor=(0.5, 1.0),
        ncols=len(labels),
        frameon=False,
        handlelength=1.2,
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
        height = 0.7 + 0.3 * len(categories)
        figure = Figure(figsize=(_WIDTH_INCHES, height), layout="constrained")
        axes = figure.add_subplot()
        positions = list(range(len(categories)))[::-1]
        left = [0.0] * len(categories)
        for g, grade_label in enumerate(grade_labels):
            shares = [100 * row[g] / sum(row) if sum(row) else 0 for row in counts]
            axes.barh(
                positions,
                shares,
                left=left,
                height=0.7,
                color=GRADE_COLOURS[g],
                hatch=GRADE_HATCHES[g],
                edgecolor="white",
                linewidth=0.5,
                label=grade_label,
            )
            left = [a + b for a, b in zip(left, shares, strict=True)]
        for y, row in zip(positions, counts, strict=True):
            axes.text(101, y, f"{sum(row)}", va="center", fontsize=8)
        axes.set_yticks(positions, categories)
        axes.set_xlim(0, 100)
        axes.set_xlabel("Share of audits (%)")
        axes.tick_params(axis="y", length=0)
        _legend(axes, grade_labels)
        return _svg(figure, name, label)


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
        figure = Figure(figsize=(_WIDTH_INCHES, 2.8), layout="constrained")
        axes = figure.add_subplot()
        positions = list(range(len(months)))
        bottom = [0.0] * len(months)
        for g, grade_label in enumerate(grade_labels):
            shares = [100 * row[g] / sum(row) if sum(row) else 0 for row in counts]
            axes.bar(
                positions,
                shares,
                bottom=bottom,
                width=0.65,
                color=GRADE_COLOURS[g],
                hatch=GRADE_HATCHES[g],
                edgecolor="white",
                linewidth=0.5,
                label=grade_label,
            )
            bottom = [a + b for a, b in zip(bottom, shares, strict=True)]
        for x, row in zip(positions, counts, strict=True):
            axes.text(x, 101, f"n={sum(row)}", ha="center", va="bottom", fontsize=8)
        axes.set_xticks(positions, months)
        axes.set_ylim(0, 112)
        axes.set_yticks([0, 25, 50, 75, 100])
        axes.set_ylabel("Share of audits (%)")
        _legend(axes, grade_labels)
        return _svg(figure, name, label)


def count_bars(*, name: str, label: str, categories: Sequence[str], values: Sequence[int]) -> str:
    """Horizontal bars of counts, largest first."""
    with matplotlib.rc_context(_STYLE):
        height = 0.5 + 0.28 * len(categories)
        figure = Figure(figsize=(_WIDTH_INCHES, height), layout="constrained")
        axes = figure.add_subplot()
        positions = list(range(len(categories)))[::-1]
        axes.barh(positions, values, height=0.65, color=BAR_COLOUR)
        for y, value in zip(positions, values, strict=True):
            axes.text(value, y, f" {value}", va="center", fontsize=8)
        axes.set_yticks(positions, categories)
        axes.set_xlim(0, max(values, default=1) * 1.12 or 1)
        axes.xaxis.get_major_locator().set_params(integer=True)
        axes.set_xlabel("Audits tagged")
        axes.tick_params(axis="y", length=0)
        return _svg(figure, name, label)
