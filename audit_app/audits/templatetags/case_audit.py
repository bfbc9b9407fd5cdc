from django import template

from audit_app.audits.models import AuditState, Grade, RoundState

register = template.Library()

_STATE_TAG_CLASSES = {
    AuditState.NOT_STARTED: "govuk-tag--grey",
    AuditState.IN_PROGRESS: "govuk-tag--light-blue",
    AuditState.SUBMITTED: "govuk-tag--blue",
    AuditState.RETURNED: "govuk-tag--orange",
    AuditState.MODERATED: "govuk-tag--green",
    RoundState.DRAFT: "govuk-tag--grey",
    RoundState.OPEN: "govuk-tag--blue",
    RoundState.CLOSED: "govuk-tag--purple",
    RoundState.REPORTED: "govuk-tag--green",
}
_GRADE_TAG_CLASSES = {
    Grade.GOOD: "govuk-tag--green",
    Grade.REQUIRES_IMPROVEMENT: "govuk-tag--yellow",
    Grade.INADEQUATE: "govuk-tag--red",
}


@register.filter
def state_tag_class(state: str) -> str:
    return _STATE_TAG_CLASSES.get(state, "govuk-tag--grey")


@register.filter
def grade_tag_class(grade: str) -> str:
    return _GRADE_TAG_CLASSES.get(grade, "govuk-tag--grey")


@register.filter
def error_anchor(bound_field) -> str:
    """Where an error summary link should land: the first radio of a group, else the field."""
    if getattr(bound_field.field.widget, "input_type", None) == "radio":
        return f"{bound_field.auto_id}_0"
    return bound_field.auto_id


@register.filter
def get_item(mapping: dict, key):
    return mapping.get(key)
