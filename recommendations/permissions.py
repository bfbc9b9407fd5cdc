"""Who may read and write recommendations, action plans and assessments, in one place.

A recommendation belongs to its inspection's force. Anyone holding a role in that force reads its
pages; a recommendation of another force is a 404, so its existence is not disclosed. Writing
needs a role in that force:

- the action plan: the audit manager (the force's plan; inspectors judge it, they do not write it);
- the force's self-assessment: the audit manager or a senior leader;
- the inspector's assessment: an inspector;
- a new recommendation (import or API): the audit manager or an inspector.

The API is read by senior leaders, inspectors and audit managers. The audit evidence behind a
recommendation is counted over the audits the user may read as a moderator, senior leader, audit
manager or inspector, in their areas or the whole force.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from audit_app.models import Role, RoleAssignment, User
from audit_app.permissions import OVERSIGHT_ROLES, user_scope
from recommendations.models import AssessorKind, Recommendation

ACTION_WRITERS = (Role.AUDIT_MANAGER,)
RECOMMENDATION_WRITERS = (Role.AUDIT_MANAGER, Role.INSPECTOR)
ASSESSORS = {
    AssessorKind.FORCE: (Role.AUDIT_MANAGER, Role.SENIOR_LEADER),
    AssessorKind.INSPECTOR: (Role.INSPECTOR,),
    # The project's reading of an inspectorate's findings, kept apart from the inspectorate's.
    AssessorKind.PROJECT_READING: (Role.AUDIT_MANAGER,),
}
API_READERS = (Role.SENIOR_LEADER, Role.INSPECTOR, Role.AUDIT_MANAGER)

_CACHE_ATTRIBUTE = "_recommendation_roles_by_force"


def roles_by_force(user: User) -> dict[int, frozenset[str]]:
    """The user's roles in each force they hold any role in, read once and kept on the user."""
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    found: dict[int, set[str]] = {}
    if user.is_authenticated and user.is_active:
        for role, force_id in RoleAssignment.objects.filter(user=user).values_list(
            "role", "force_id"
        ):
            found.setdefault(force_id, set()).add(role)
    result = {force_id: frozenset(roles) for force_id, roles in found.items()}
    setattr(user, _CACHE_ATTRIBUTE, result)
    return result


def visible_recommendations(user: User) -> QuerySet[Recommendation]:
    """Recommendations made to the forces in which the user holds a role."""
    return Recommendation.objects.filter(inspection__force_id__in=list(roles_by_force(user)))


def evidence_scope(user: User, area_field: str = "audit__round__area") -> Q | None:
    """Which audits' results the user may count, or None when they may count none."""
    scope = user_scope(user)
    if not scope.has_role(*OVERSIGHT_ROLES):
        return None
    return scope.area_filter(*OVERSIGHT_ROLES, area_field=area_field)


@dataclass(frozen=True)
class RecommendationAccess:
    """A recommendation the user may read, and what they may write on it."""

    recommendation: Recommendation
    roles: frozenset[str]

    def has_role(self, roles: tuple[str, ...]) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def may_edit_actions(self) -> bool:
        return self.has_role(ACTION_WRITERS)

    def may_assess(self, kind: str) -> bool:
        return self.has_role(ASSESSORS.get(kind, ()))

    @property
    def may_assess_for_force(self) -> bool:
        return self.may_assess(AssessorKind.FORCE)

    @property
    def may_assess_as_inspector(self) -> bool:
        return self.may_assess(AssessorKind.INSPECTOR)

    def require_action_writer(self) -> None:
        if not self.may_edit_actions:
            raise PermissionDenied("Only the audit manager changes the force's action plan.")

    def require_assessor(self, kind: str) -> None:
        if kind not in AssessorKind.values:
            raise PermissionDenied(f"{kind!r} is not a kind of assessment.")
        if not self.may_assess(kind):
            if kind == AssessorKind.INSPECTOR:
                raise PermissionDenied("Only an inspector records an inspector's assessment.")
            raise PermissionDenied(
                "Only the audit manager or a senior leader records the force's assessment."
            )


def recommendation_access(
    user: User, recommendation_id: int, queryset: QuerySet[Recommendation] | None = None
) -> RecommendationAccess:
    """The recommendation if it was made to one of the user's forces (404 otherwise), with the
    user's roles in that force."""
    queryset = queryset if queryset is not None else Recommendation.objects.all()
    recommendation = get_object_or_404(
        queryset.filter(inspection__force_id__in=list(roles_by_force(user))).select_related(
            "inspection__force"
        ),
        pk=recommendation_id,
    )
    return RecommendationAccess(
        recommendation=recommendation,
        roles=roles_by_force(user).get(recommendation.inspection.force_id, frozenset()),
    )
