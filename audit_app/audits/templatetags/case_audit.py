"""Template tags every page loads: the one colour rule for GOV.UK tags, and the tags that feed the
GOV.UK components in templates/components/ (summary list, table) from a page's own markup.

The components are includes taking plain data, like GOV.UK Frontend's macros: a view holding the
data can include them directly. A page that builds its rows as it goes (a row only if a field is
set, a value made of several fields) uses the block tags below instead, which collect the rows and
render the same include, so the component's markup is written once:

    {% summary_list %}
      {% summary_row "Theme" %}{{ theme.name }} ({{ theme.code }}){% endsummary_row %}
      {% if station %}{% summary_row "Station" %}{{ station }}{% endsummary_row %}{% endif %}
      {% summary_row "Answer" %}{{ answer }}
        {% summary_action href=url %}the answer to question {{ number }}{% endsummary_action %}
      {% endsummary_row %}
    {% endsummary_list %}

    {% table caption="Submissions" caption_size="m" first_cell_is_header=True %}
      {% table_column "Number" %}{% table_column "Audits" numeric=True %}
      {% for row in rows %}{% table_row %}
        {% cell %}{{ row.number }}{% endcell %}{% cell %}{{ row.audits }}{% endcell %}
      {% endtable_row %}{% endfor %}
    {% endtable %}
"""

from __future__ import annotations

from django import template
from django.template.base import FilterExpression, NodeList, Parser, Token
from django.utils.safestring import mark_safe

register = template.Library()

# --- The one colour rule for tags ------------------------------------------------------------

# The colour of every GOV.UK tag that shows a state, a grade or a flag, by what the tag shows and
# the value's code. The colours are GOV.UK Frontend's tag colours, each with one meaning: grey not
# begun or set aside, blue under way or waiting on someone, green done, yellow short of done,
# orange sent back, red failed or at risk, purple closed or set apart. Every tag also carries its
# words, so colour is never the only signal. Codes are the models' choice values, written out
# because the apps whose states these are sit above this one in the layers
# (tests/contracts/test_design_rules.py checks every choice has its colour).
TAG_COLOURS: dict[str, dict[str, str]] = {
    "audit": {  # AuditState
        "not_started": "grey",
        "in_progress": "blue",
        "submitted": "blue",
        "returned": "orange",
        "moderated": "green",
    },
    "section": {  # a section of the audit in its task list, as the GOV.UK task list pattern has it
        "not_started": "blue",
        "in_progress": "blue",
    },
    "round": {  # RoundState
        "draft": "grey",
        "open": "blue",
        "closed": "purple",
        "reported": "green",
    },
    "grade": {  # Grade
        "good": "green",
        "requires_improvement": "yellow",
        "inadequate": "red",
    },
    "escalation": {  # EscalationState
        "open": "red",
        "resolved": "green",
    },
    "feedback": {  # FeedbackState
        "drafted": "grey",
        "sent": "blue",
        "acknowledged": "green",
        "given": "teal",
    },
    "import": {  # rounds: CaseImportState
        "queued": "grey",
        "checking": "blue",
        "ready": "blue",
        "saving": "blue",
        "imported": "green",
        "failed": "red",
        "cancelled": "grey",
    },
    "import_row": {  # rounds: RowOutcome
        "accepted": "green",
        "rejected": "red",
        "known": "grey",
    },
    "report": {  # reports: ReportState
        "queued": "grey",
        "compiling": "blue",
        "rendering": "blue",
        "ready": "green",
        "failed": "red",
    },
    "meeting_action": {  # reports: ActionState, an action agreed at a PVP meeting
        "agreed": "yellow",
        "in_progress": "blue",
        "done": "green",
        "dropped": "grey",
    },
    "recommendation_action": {  # recommendations: ActionState, an action of the plan
        "not_started": "grey",
        "in_progress": "blue",
        "complete": "green",
    },
    "action_plan": {  # recommendations: PlanState, a recommendation's whole plan
        "no_actions": "grey",
        "overdue": "red",
        "on_track": "blue",
        "complete": "green",
    },
    "rating": {  # recommendations: Rating
        "not_started": "grey",
        "in_progress": "blue",
        "partly_achieved": "yellow",
        "achieved": "green",
    },
    "token": {  # accounts: an API token
        "active": "green",
        "revoked": "grey",
    },
    "flag": {  # a mark beside a record rather than its state
        "overdue": "red",
        "blind": "purple",
        "force_interest": "purple",
        "critical": "grey",
        "moderators_addition": "yellow",
        "too_few_audits": "yellow",
        "left_empty": "grey",
        "no_eligible_case": "red",
    },
}


@register.filter
def tag_colour(value, kind: str) -> str:
    """The GOV.UK tag colour for `value` shown as `kind`, for components/tag.html:
    `{% include "components/tag.html" with text=audit.get_state_display
    colour=audit.state|tag_colour:"audit" %}`. An unknown kind is an error; an unknown value is
    grey."""
    return TAG_COLOURS[kind].get(str(value), "grey")


# --- Small helpers ---------------------------------------------------------------------------


@register.filter
def error_anchor(bound_field) -> str:
    """Where an error summary link should land: the first radio of a group, else the field."""
    if getattr(bound_field.field.widget, "input_type", None) == "radio":
        return f"{bound_field.auto_id}_0"
    return bound_field.auto_id


@register.filter
def get_item(mapping: dict, key):
    return mapping.get(key)


@register.filter
def any_has(items, name: str) -> bool:
    """Whether any of `items` (dicts) has a true `name`."""
    return any(item.get(name) for item in items)


# --- Block tags feeding the components ---------------------------------------------------------

_ROWS = "_component_rows"
_ROW = "_component_row"
_CELLS = "_component_cells"
_COLUMNS = "_component_columns"
_CAPTION = "_component_caption"


def _options(parser: Parser, bits: list[str], tag: str) -> dict[str, FilterExpression]:
    options = {}
    for bit in bits:
        name, sep, value = bit.partition("=")
        if not sep or not name.isidentifier():
            raise template.TemplateSyntaxError(f"{tag} takes only name=value options, not {bit!r}")
        options[name] = parser.compile_filter(value)
    return options


def _until(parser: Parser, end: str) -> NodeList:
    """The block's contents up to its end tag, which is consumed."""
    nodelist = parser.parse((end,))
    parser.delete_first_token()
    return nodelist


def _resolved(options: dict[str, FilterExpression], context) -> dict:
    return {name: expression.resolve(context) for name, expression in options.items()}


def _collector(context, name: str, tag: str, within: str) -> list | dict:
    collected = context.get(name)
    if collected is None:
        raise template.TemplateSyntaxError(f"{{% {tag} %}} belongs inside {{% {within} %}}")
    return collected


def _body(nodelist: NodeList, context) -> str:
    """A block's rendered body, already escaped by the template, so safe as it is."""
    return mark_safe(nodelist.render(context).strip())  # noqa: S308 - escaped as it rendered


def _render(context, name: str, data: dict) -> str:
    component = context.template.engine.get_template(name)
    return component.render(context.new(data))


class SummaryListNode(template.Node):
    def __init__(self, nodelist: NodeList, options: dict[str, FilterExpression]) -> None:
        self.nodelist = nodelist
        self.options = options

    def render(self, context) -> str:
        rows: list[dict] = []
        with context.push({_ROWS: rows}):
            self.nodelist.render(context)
        data = {**_resolved(self.options, context), "rows": rows}
        return _render(context, "components/summary_list.html", data)


class SummaryKeyNode(template.Node):
    """A row's key made of markup, rather than given as the row's first argument."""

    def __init__(self, nodelist: NodeList) -> None:
        self.nodelist = nodelist

    def render(self, context) -> str:
        _collector(context, _ROW, "summary_key", "summary_row")["key"] = _body(
            self.nodelist, context
        )
        return ""


class SummaryActionNode(template.Node):
    """A row's action: its link, and words naming the row for screen readers."""

    def __init__(self, nodelist: NodeList, options: dict[str, FilterExpression]) -> None:
        self.nodelist = nodelist
        self.options = options

    def render(self, context) -> str:
        row = _collector(context, _ROW, "summary_action", "summary_row")
        row.update(_resolved(self.options, context), hidden=_body(self.nodelist, context))
        return ""


class SummaryRowNode(template.Node):
    def __init__(self, key, nodelist: NodeList, options: dict[str, FilterExpression]) -> None:
        self.key = key
        self.nodelist = nodelist
        self.options = options

    def render(self, context) -> str:
        rows = _collector(context, _ROWS, "summary_row", "summary_list")
        row = {**_resolved(self.options, context)}
        if self.key is not None:
            row["key"] = self.key.resolve(context)
        with context.push({_ROW: row}):
            row["value"] = _body(self.nodelist, context)
        if "key" not in row:
            raise template.TemplateSyntaxError("summary_row needs a key or a {% summary_key %}")
        rows.append(row)
        return ""


@register.tag
def summary_list(parser: Parser, token: Token) -> SummaryListNode:
    """{% summary_list [classes=...] [id=...] %} rows {% endsummary_list %}"""
    options = _options(parser, token.split_contents()[1:], "summary_list")
    nodelist = _until(parser, "endsummary_list")
    return SummaryListNode(nodelist, options)


@register.tag
def summary_row(parser: Parser, token: Token) -> SummaryRowNode:
    """{% summary_row key [href=... action=... hidden=...] [value_id=...] %} value
    {% endsummary_row %}. Inside, {% summary_key %} gives a key made of markup instead, and
    {% summary_action href=... [action=...] %} words for screen readers {% endsummary_action %}
    an action whose words are."""
    bits = token.split_contents()[1:]
    key = None
    if bits and "=" not in bits[0]:
        key = parser.compile_filter(bits.pop(0))
    options = _options(parser, bits, "summary_row")
    nodelist = _until(parser, "endsummary_row")
    return SummaryRowNode(key, nodelist, options)


@register.tag
def summary_key(parser: Parser, token: Token) -> SummaryKeyNode:
    nodelist = _until(parser, "endsummary_key")
    return SummaryKeyNode(nodelist)


@register.tag
def summary_action(parser: Parser, token: Token) -> SummaryActionNode:
    options = _options(parser, token.split_contents()[1:], "summary_action")
    nodelist = _until(parser, "endsummary_action")
    return SummaryActionNode(nodelist, options)


class TableNode(template.Node):
    def __init__(self, nodelist: NodeList, options: dict[str, FilterExpression]) -> None:
        self.nodelist = nodelist
        self.options = options

    def render(self, context) -> str:
        columns: list[dict] = []
        rows: list[list[dict]] = []
        caption: list[str] = []
        with context.push({_COLUMNS: columns, _ROWS: rows, _CAPTION: caption}):
            self.nodelist.render(context)
        data = _resolved(self.options, context)
        if caption:
            data["caption"] = caption[-1]
        data.update(head=columns, rows=rows)
        return _render(context, "components/table.html", data)


class TableCaptionNode(template.Node):
    def __init__(self, nodelist: NodeList) -> None:
        self.nodelist = nodelist

    def render(self, context) -> str:
        _collector(context, _CAPTION, "table_caption", "table").append(
            _body(self.nodelist, context)
        )
        return ""


class TableColumnNode(template.Node):
    def __init__(self, text: FilterExpression, options: dict[str, FilterExpression]) -> None:
        self.text = text
        self.options = options

    def render(self, context) -> str:
        columns = _collector(context, _COLUMNS, "table_column", "table")
        columns.append({**_resolved(self.options, context), "text": self.text.resolve(context)})
        return ""


class TableRowNode(template.Node):
    def __init__(self, nodelist: NodeList) -> None:
        self.nodelist = nodelist

    def render(self, context) -> str:
        rows = _collector(context, _ROWS, "table_row", "table")
        columns = _collector(context, _COLUMNS, "table_row", "table")
        cells: list[dict] = []
        with context.push({_CELLS: cells}):
            self.nodelist.render(context)
        for position, cell in enumerate(cells):
            column = columns[position] if position < len(columns) else {}
            cell.setdefault("numeric", column.get("numeric", False))
        rows.append(cells)
        return ""


class CellNode(template.Node):
    def __init__(self, nodelist: NodeList, options: dict[str, FilterExpression]) -> None:
        self.nodelist = nodelist
        self.options = options

    def render(self, context) -> str:
        cells = _collector(context, _CELLS, "cell", "table_row")
        cells.append({**_resolved(self.options, context), "text": _body(self.nodelist, context)})
        return ""


@register.tag
def table(parser: Parser, token: Token) -> TableNode:
    """{% table [caption=... caption_size=s|m|l|hidden] [first_cell_is_header=True] [empty=...]
    [id=...] [classes=...] %} columns, then rows {% endtable %}"""
    options = _options(parser, token.split_contents()[1:], "table")
    nodelist = _until(parser, "endtable")
    return TableNode(nodelist, options)


@register.tag
def table_caption(parser: Parser, token: Token) -> TableCaptionNode:
    """{% table_caption %} a caption made of markup {% endtable_caption %}"""
    nodelist = _until(parser, "endtable_caption")
    return TableCaptionNode(nodelist)


@register.tag
def table_column(parser: Parser, token: Token) -> TableColumnNode:
    """{% table_column text [numeric=True] [hidden=True] %}: hidden words are for screen readers."""
    bits = token.split_contents()[1:]
    if not bits or "=" in bits[0]:
        raise template.TemplateSyntaxError("table_column needs its text first")
    text = parser.compile_filter(bits.pop(0))
    return TableColumnNode(text, _options(parser, bits, "table_column"))


@register.tag
def table_row(parser: Parser, token: Token) -> TableRowNode:
    """{% table_row %} cells {% endtable_row %}"""
    nodelist = _until(parser, "endtable_row")
    return TableRowNode(nodelist)


@register.tag
def cell(parser: Parser, token: Token) -> CellNode:
    """{% cell [classes=...] [colspan=...] %} content {% endcell %}: numeric as its column is."""
    options = _options(parser, token.split_contents()[1:], "cell")
    nodelist = _until(parser, "endcell")
    return CellNode(nodelist, options)
