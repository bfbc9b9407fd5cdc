"""Tag colours for plan states, action states and ratings. Each tag also carries its words, so
colour is never the only signal."""

from django import template

from recommendations.models import ActionState, Rating

register = template.Library()

_PLAN = {
    "no_actions": "govuk-tag--grey",
    "overdue": "govuk-tag--red",
    "on_track": "govuk-tag--blue",
    "complete": "govuk-tag--green",
}
_ACTION = {
    ActionState.NOT_STARTED: "govuk-tag--grey",
    ActionState.IN_PROGRESS: "govuk-tag--light-blue",
    ActionState.COMPLETE: "govuk-tag--green",
}
_RATING = {
    Rating.NOT_STARTED: "govuk-tag--grey",
    Rating.IN_PROGRESS: "govuk-tag--light-blue",
    Rating.PARTLY_ACHIEVED: "govuk-tag--yellow",
    Rating.ACHIEVED: "govuk-tag--green",
}


@register.filter
def plan_tag_class(code: str) -> str:
    return _PLAN.get(code, "govuk-tag--grey")


@register.filter
def action_tag_class(state: str) -> str:
    return _ACTION.get(state, "govuk-tag--grey")


@register.filter
def rating_tag_class(rating: str) -> str:
    return _RATING.get(rating, "govuk-tag--grey")
