"""The service navigation, by role."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse

from audit_app.models import Role
from audit_app.permissions import user_scope


@dataclass(frozen=True)
class NavItem:
    text: str
    href: str
    current: bool


_ITEMS: list[tuple[str, str, tuple[str, ...] | None]] = [
    ("Home", "home", None),
    ("My audits", "my_audits", (Role.AUDITOR,)),
    ("Rounds", "rounds", (Role.AUDIT_MANAGER, Role.MODERATOR, Role.SENIOR_LEADER, Role.INSPECTOR)),
    ("Recommendations", "recommendations:overview", None),
]


def navigation_for(request: HttpRequest) -> list[NavItem]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    scope = user_scope(user)
    items = []
    for text, url_name, roles in _ITEMS:
        if roles is not None and not scope.has_role(*roles):
            continue
        href = reverse(url_name)
        current = request.path == href if url_name == "home" else request.path.startswith(href)
        items.append(NavItem(text=text, href=href, current=current))
    return items
