"""Who may see what, in one place.

A user's roles come from their role assignments, each over one area or the whole force. Views and
the API call these helpers: a page of the wrong role is a 403; a record outside the user's scope is
a 404, so its existence is not disclosed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse

from audit_app.models import Area, Role, RoleAssignment, User

_CACHE_ATTRIBUTE = "_case_audit_scope"


@dataclass(frozen=True)
class UserScope:
    """The roles a user holds: force-wide (by force id) or per area (by area id)."""

    force_wide: dict[str, frozenset[int]] = field(default_factory=dict)
    by_area: dict[str, frozenset[int]] = field(default_factory=dict)

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(self.force_wide) | frozenset(self.by_area)

    def has_role(self, *roles: str) -> bool:
        return any(role in self.roles for role in roles)

    def area_filter(self, *roles: str, area_field: str = "area") -> Q:
        """A filter matching rows whose area lies inside the user's scope for any of `roles`."""
        condition = Q(pk__in=[])
        for role in roles:
            if self.force_wide.get(role):
                condition |= Q(**{f"{area_field}__force_id__in": self.force_wide[role]})
            if self.by_area.get(role):
                condition |= Q(**{f"{area_field}_id__in": self.by_area[role]})
        return condition


def user_scope(user: User) -> UserScope:
    """The user's roles, read once per request and kept on the user object."""
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    force_wide: dict[str, set[int]] = {}
    by_area: dict[str, set[int]] = {}
    if user.is_authenticated and user.is_active:
        assignments = RoleAssignment.objects.filter(user=user).values_list(
            "role", "force_id", "area_id"
        )
        for role, force_id, area_id in assignments:
            if area_id is None:
                force_wide.setdefault(role, set()).add(force_id)
            else:
                by_area.setdefault(role, set()).add(area_id)
    scope = UserScope(
        force_wide={role: frozenset(ids) for role, ids in force_wide.items()},
        by_area={role: frozenset(ids) for role, ids in by_area.items()},
    )
    setattr(user, _CACHE_ATTRIBUTE, scope)
    return scope


def forget_scope(user: User) -> None:
    """Drop the cached scope after the user's role assignments change."""
    if hasattr(user, _CACHE_ATTRIBUTE):
        delattr(user, _CACHE_ATTRIBUTE)


def role_required(*roles: str) -> Callable:
    """Refuse (403) a view to a signed-in user who holds none of `roles`."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not user_scope(request.user).has_role(*roles):
                raise PermissionDenied("Your role does not give access to this page.")
            return view(request, *args, **kwargs)

        wrapped.required_roles = roles  # type: ignore[attr-defined]
        return wrapped

    return decorator


def areas_for(user: User, roles: Iterable[str]) -> QuerySet[Area]:
    """The areas in which the user holds any of `roles`."""
    scope = user_scope(user)
    condition = Q(pk__in=[])
    for role in roles:
        if scope.force_wide.get(role):
            condition |= Q(force_id__in=scope.force_wide[role])
        if scope.by_area.get(role):
            condition |= Q(pk__in=scope.by_area[role])
    return Area.objects.filter(condition).select_related("force")


# The roles that oversee the regime: they read rounds, results, consistency and the evidence
# behind recommendations (each within their area, or force-wide).
OVERSIGHT_ROLES = (Role.AUDIT_MANAGER, Role.MODERATOR, Role.SENIOR_LEADER, Role.INSPECTOR)


def role_descriptions(user: User) -> list[str]:
    """'Moderator (West)', 'Inspector (whole force)': what the user is signed in as."""
    assignments = RoleAssignment.objects.filter(user=user).select_related("area")
    return [
        f"{a.get_role_display()} ({a.area.name if a.area_id else 'whole force'})"
        for a in assignments
    ]


def areas_for_role(user: User, role: str) -> QuerySet:
    return areas_for(user, [role]).order_by("pk")
