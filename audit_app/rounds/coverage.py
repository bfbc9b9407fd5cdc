"""Coverage: how many cases of each theme and team were audited in the last twelve months.

The audit manager reads it to see gaps: a theme no case of a team was audited for, a team not
sampled for months. Counted in the database in a fixed number of queries whatever the data: audits
in monthly rounds that have opened (an inspection round is kept apart from the force's figures, a
draft round is not audited yet), by area, case theme and case team, and each team's latest round.

The heat map is drawn by matplotlib as SVG to put inline, one per area, beside its table.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import matplotlib
from django.db.models import Count, Max, QuerySet
from django.utils import timezone
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from audit_app.audits.models import Audit, RoundKind, RoundState
from audit_app.charts import LITERAL_TEXT, figure_svg
from audit_app.models import Area, Team
from audit_app.models.reference import CaseTheme
from audit_app.months import add_months

MONTHS = 12


@dataclass(frozen=True)
class TeamRow:
    team: Team
    counts: tuple[int, ...]  # one per theme, in the order of AreaCoverage.themes
    last_sampled: datetime.date | None  # the month of the latest round that audited the team

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def gaps(self) -> int:
        return sum(1 for count in self.counts if not count)


@dataclass(frozen=True)
class AreaCoverage:
    area: Area
    themes: tuple[CaseTheme, ...]
    rows: tuple[TeamRow, ...]

    @property
    def theme_totals(self) -> tuple[int, ...]:
        return tuple(sum(column) for column in zip(*(r.counts for r in self.rows), strict=True))

    @property
    def total(self) -> int:
        return sum(r.total for r in self.rows)

    @property
    def gaps(self) -> int:
        return sum(r.gaps for r in self.rows)

    @property
    def by_team_type(self) -> list[tuple[str, list[TeamRow]]]:
        """The rows under "Specialist teams" and "Non-specialist teams", in that order."""
        groups: dict[str, list[TeamRow]] = {}
        for row in self.rows:
            groups.setdefault(f"{row.team.get_team_type_display()} teams", []).append(row)
        return list(groups.items())


@dataclass(frozen=True)
class Coverage:
    start: datetime.date  # the first month counted
    end: datetime.date  # the last month counted (this month)
    areas: tuple[AreaCoverage, ...]


def coverage_window(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """This month and the eleven before it, as their first days."""
    end = (today or timezone.localdate()).replace(day=1)
    return add_months(end, -(MONTHS - 1)), end


def _audited(areas: QuerySet[Area]) -> QuerySet[Audit]:
    return Audit.objects.filter(round__area__in=areas, round__kind=RoundKind.MONTHLY).exclude(
        round__state=RoundState.DRAFT
    )


def coverage(*, areas: QuerySet[Area], today: datetime.date | None = None) -> Coverage:
    """Audits by area, theme and team over the last twelve months, and each team's last sample.

    Five queries, however many areas, teams, rounds and audits there are.
    """
    start, end = coverage_window(today)
    area_list = list(areas.order_by("name"))
    teams = list(
        Team.objects.filter(area__in=area_list).order_by("area_id", "-team_type", "name", "pk")
    )
    counted = (
        _audited(areas)
        .filter(round__month__gte=start, round__month__lte=end)
        .values_list("case__team_id", "case__theme_id")
        .annotate(audits=Count("pk"))
        .order_by()
    )
    counts = {(team_id, theme_id): n for team_id, theme_id, n in counted}
    last_sampled = dict(
        _audited(areas)
        .values("case__team_id")
        .annotate(last=Max("round__month"))
        .order_by()
        .values_list("case__team_id", "last")
    )
    # Every active theme, and any retired one that still has audits in the window.
    counted_theme_ids = {theme_id for _, theme_id in counts}
    themes = tuple(
        t
        for t in CaseTheme.objects.order_by("display_order", "code")
        if t.is_active or t.pk in counted_theme_ids
    )
    by_area: dict[int, list[TeamRow]] = {a.pk: [] for a in area_list}
    for team in teams:
        by_area[team.area_id].append(
            TeamRow(
                team=team,
                counts=tuple(counts.get((team.pk, theme.pk), 0) for theme in themes),
                last_sampled=last_sampled.get(team.pk),
            )
        )
    return Coverage(
        start=start,
        end=end,
        areas=tuple(
            AreaCoverage(area=a, themes=themes, rows=tuple(by_area[a.pk])) for a in area_list
        ),
    )


# The heat map ----------------------------------------------------------------------------------

TEXT_COLOUR = "#0b0c0c"
GAP_COLOUR = "#f3f2f1"  # GOV.UK light grey, hatched: a gap reads as a gap in grey print too
# From a pale to the dark GOV.UK blue: darker is more cases audited.
HEAT = LinearSegmentedColormap.from_list("coverage", ["#d2e2f1", "#5694ca", "#1d70b8", "#003078"])
_STYLE = {
    **LITERAL_TEXT,
    "svg.fonttype": "none",
    "svg.hashsalt": "case-audit-coverage",
    "font.family": "sans-serif",
    "font.sans-serif": ["Liberation Sans", "Arial", "DejaVu Sans"],
    "font.size": 9,
    "text.color": TEXT_COLOUR,
    "axes.labelcolor": TEXT_COLOUR,
    "xtick.color": TEXT_COLOUR,
    "ytick.color": TEXT_COLOUR,
    "hatch.color": "#505a5f",
    "hatch.linewidth": 0.5,
}


def heat_map_label(area: AreaCoverage, start: datetime.date, end: datetime.date) -> str:
    return (
        f"Heat map of cases audited in {area.area.name} from {start:%B %Y} to {end:%B %Y}, "
        f"by team and theme: {area.total} audits, {area.gaps} team and theme pairs with none. "
        "The table below gives the same figures."
    )


def heat_map_svg(area: AreaCoverage, start: datetime.date, end: datetime.date) -> str:
    """Teams down, themes across, each cell coloured by its count and labelled with it."""
    rows, columns = len(area.rows), len(area.themes)
    peak = max((max(r.counts, default=0) for r in area.rows), default=0) or 1
    with matplotlib.rc_context(_STYLE):
        figure = Figure(figsize=(7.2, 0.9 + 0.34 * max(rows, 1)), layout="constrained")
        axes = figure.add_subplot()
        for y, row in enumerate(area.rows):
            for x, count in enumerate(row.counts):
                share = count / peak
                axes.add_patch(
                    _cell(x, y, HEAT(0.15 + 0.85 * share) if count else GAP_COLOUR, not count)
                )
                axes.text(
                    x,
                    y,
                    str(count),
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if count and share > 0.45 else TEXT_COLOUR,
                )
        axes.set_xlim(-0.5, columns - 0.5)
        axes.set_ylim(rows - 0.5, -0.5)
        axes.set_xticks(range(columns), [t.code for t in area.themes])
        axes.set_yticks(range(rows), [_team_label(r.team) for r in area.rows])
        axes.xaxis.tick_top()
        axes.tick_params(length=0)
        for spine in axes.spines.values():
            spine.set_visible(False)
        axes.set_xlabel("Case theme (hatched: none audited)")
        return figure_svg(
            figure,
            name=f"coverage-{area.area.code}",
            label=heat_map_label(area, start, end),
            css_class="app-heat-map",
            fluid=True,
            with_title=True,
        )


def _cell(x: int, y: int, colour, gap: bool) -> Rectangle:
    return Rectangle(
        (x - 0.5, y - 0.5),
        1,
        1,
        facecolor=colour,
        edgecolor="white",
        linewidth=1.5,
        hatch="///" if gap else None,
    )


def _team_label(team: Team) -> str:
    return f"{team.name} ({team.get_team_type_display().lower()})"


def heat_maps(result: Coverage) -> list[tuple[AreaCoverage, str]]:
    """Each area with its heat map (none for an area without teams)."""
    return [
        (area, heat_map_svg(area, result.start, result.end) if area.rows else "")
        for area in result.areas
    ]
