"""Unknown query parameters on the API are refused (400), not ignored.

The parameters an operation accepts are the ones its OpenAPI description documents, so the check
and the documentation cannot drift apart: a filter that is not documented does not work.
"""

from __future__ import annotations

import re
from functools import lru_cache

from django.http import HttpRequest, HttpResponse, JsonResponse

from audit_app.middleware import is_api_request

# DRF's own: the format suffix override is accepted everywhere.
ALWAYS_ALLOWED = frozenset({"format"})


@lru_cache(maxsize=1)
def documented_parameters() -> list[tuple[re.Pattern, str, frozenset[str]]]:
    """(path pattern, method, the query parameters it documents) for every API operation."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = []
    for path, item in schema["paths"].items():
        pattern = re.compile("^" + re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(path)) + "$")
        for method, operation in item.items():
            names = frozenset(
                parameter["name"]
                for parameter in operation.get("parameters", [])
                if parameter.get("in") == "query"
            )
            operations.append((pattern, method.upper(), names))
    return operations


def unknown_parameters(path: str, method: str, given: set[str]) -> tuple[list[str], set[str]]:
    for pattern, operation_method, allowed in documented_parameters():
        if operation_method == method and pattern.match(path):
            known = allowed | ALWAYS_ALLOWED
            return sorted(given - known), set(known)
    return [], set()


class UnknownQueryParameterMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_api_request(request) and request.GET:
            unknown, known = unknown_parameters(request.path, request.method, set(request.GET))
            if unknown:
                return JsonResponse(
                    {
                        "detail": f"Unknown query parameter(s): {', '.join(unknown)}. "
                        f"This operation takes: {', '.join(sorted(known)) or 'none'}."
                    },
                    status=400,
                )
        return self.get_response(request)
