"""The service navigation, by role."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse

from audit_app.models import Role
from audit_app.permissions import OVERSIGHT_ROLES, user_scope


@dataclass(frozen=True)
class NavItem:
    text: str
    href: str
    current: bool


_ITEMS: list[tuple[str, str, tuple[str, ...] | None]] = [
    ("Home", "home", None),
    ("My audits", "my_audits", (Role.AUDITOR, Role.INSPECTOR)),
    ("Moderation", "moderation_queue", (Role.MODERATOR,)),
    (
        "Consistency",
        "consistency",
        (Role.MODERATOR, Role.SENIOR_LEADER, Role.AUDIT_MANAGER, Role.INSPECTOR),
    ),
    ("Moderation settings", "moderation_settings", (Role.AUDIT_MANAGER,)),
    ("Dashboard", "dashboard", OVERSIGHT_ROLES),
    ("Rounds", "rounds", (Role.AUDIT_MANAGER, Role.MODERATOR, Role.SENIOR_LEADER, Role.INSPECTOR)),
    ("Coverage", "coverage", (Role.AUDIT_MANAGER,)),
    ("Staff directory", "directory", (Role.AUDIT_MANAGER,)),
    ("Access log", "access_log", (Role.AUDIT_MANAGER,)),
    ("Sign-in security", "sign_in_security", (Role.AUDIT_MANAGER,)),
    ("Reports", "reports:list", (Role.SENIOR_LEADER, Role.AUDIT_MANAGER, Role.MODERATOR)),
    ("Recommendations", "recommendations:overview", None),
]


# Pages for the force-wide audit manager only, not an area's.
FORCE_WIDE_ONLY = {"access_log", "moderation_settings", "sign_in_security"}


def navigation_for(request: HttpRequest) -> list[NavItem]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    scope = user_scope(user)
    links = [
        (text, reverse(url_name))
        for text, url_name, roles in _ITEMS
        if (roles is None or scope.has_role(*roles))
        and (url_name not in FORCE_WIDE_ONLY or scope.force_wide.get(Role.AUDIT_MANAGER))
    ]
    # The most specific link containing this page is the current one ("/" only for itself).
    matching = [href for _, href in links if request.path.startswith(href) and href != "/"]
    current = max(matching, key=len) if matching else request.path
    return [NavItem(text=text, href=href, current=href == current) for text, href in links]
