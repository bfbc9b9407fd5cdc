"""Rules enforced on every request: session lifetime, two-factor sign-in, no caching of what a
signed-in user sees, and no NUL characters in input."""

from __future__ import annotations

import json
import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger(__name__)


class NoStoreMiddleware:
    """Marks every response to a signed-in user (session or API token) `no-store, private`, so no
    browser or proxy cache keeps a case, an audit, an export or a PDF."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)  # DRF sets it to the token's user
        if (user is not None and user.is_authenticated) or "Authorization" in request.headers:
            add_never_cache_headers(response)
        return response


class RefuseNulMiddleware:
    """Refuses a request whose query, form or JSON body holds a NUL character, before anything
    reads it.

    No legitimate input contains one, and PostgreSQL cannot store it in text: without this, it
    would surface as a database error deep in a view. In JSON the character arrives escaped
    (`\\u0000`), so the body is decoded and its keys and strings are looked at.
    """

    FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
    BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        raw_query = request.META.get("QUERY_STRING", "")
        if "\x00" in raw_query or "%00" in raw_query.upper() or "\x00" in request.path:
            return self._refuse(request)
        if request.method in self.BODY_METHODS:
            if (
                request.method == "POST"
                and request.content_type in self.FORM_TYPES
                and any("\x00" in key or "\x00" in value for key, value in _pairs(request.POST))
            ):
                return self._refuse(request)
            if _is_json(request.content_type) and _json_holds_nul(request.body):
                return self._refuse(request)
        return self.get_response(request)

    @staticmethod
    def _refuse(request: HttpRequest) -> HttpResponse:
        logger.warning("refused a request to %s holding a NUL character", request.path[:100])
        if is_api_request(request):
            return JsonResponse({"detail": "The request holds a NUL character."}, status=400)
        return HttpResponse("Bad request: the request holds a NUL character.", status=400)


def is_api_request(request: HttpRequest) -> bool:
    """Whether the request is for the API (answered in JSON) rather than a page."""
    return request.path_info.startswith("/api/")


def _pairs(query) -> list[tuple[str, str]]:
    return [(key, value) for key, values in query.lists() for value in values]


def _is_json(content_type: str | None) -> bool:
    return bool(content_type) and (
        content_type == "application/json" or content_type.endswith("+json")
    )


def _json_holds_nul(body: bytes) -> bool:
    """Whether the JSON body holds a NUL, raw or escaped. A body that is not JSON is left to the
    view's parser, which answers 400 with its own reason."""
    if b"\x00" in body:
        return True
    if b"\\u0000" not in body:
        return False
    try:
        data = json.loads(body)
    except ValueError:
        return False
    return _holds_nul(data)


def _holds_nul(value) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False
