"""Where a request may send the user on to: this site only.

Every redirect and Back link whose target comes from the request (`next`, `back`, `return_to`...)
goes through `safe_return_url`, so a crafted link cannot send a signed-in user to another site
(`https://evil.example/`, `//evil.example/`, `\\\\evil.example`) or run script from a Back link
(`javascript:`). Django's sign-in and sign-out views make the same check themselves.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

# Longer than any of our own URLs: a longer target is refused rather than echoed into the page.
MAX_RETURN_URL_LENGTH = 2000


def is_safe_return_url(request: HttpRequest, candidate: str | None) -> bool:
    """Whether `candidate` leads to this site, over the request's own scheme (or a stricter one)."""
    if not candidate or len(candidate) > MAX_RETURN_URL_LENGTH:
        return False
    return url_has_allowed_host_and_scheme(
        candidate.strip(), allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def safe_return_url(request: HttpRequest, candidate: str | None, *, fallback: str) -> str:
    """`candidate` when it leads to this site, else `fallback` (one of our own URLs)."""
    if is_safe_return_url(request, candidate):
        return candidate.strip()
    return fallback
