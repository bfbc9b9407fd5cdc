"""One error body for the whole API, and one way to reach it.

Every refusal is JSON: `detail`, the reason in a sentence; `reasons`, every reason when there
are several; `errors`, field by field, when the request's fields were refused. The exception
handler below makes it from DRF's own exceptions and from a service's Django ValidationError
alike, so a view calls the service and lets a refusal propagate instead of catching it.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers, status
from rest_framework.exceptions import APIException
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.views import exception_handler


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="Why the request was refused, in a sentence.")
    reasons = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="Every reason, where there are several.",
    )
    errors = serializers.DictField(
        required=False, help_text="Field by field, when the request's fields were refused."
    )


_DESCRIPTIONS = {
    400: "Refused, with the reason",
    401: "No valid token or session",
    403: "Not signed in, or not for this role",
    404: "No such record in the user's scope",
    409: "The record changed since it was read",
    429: "Too many requests; see Retry-After",
    503: "The task queue is unavailable; nothing is left half-done",
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """The documented error answers of an operation, all with the one error body."""
    return {
        code: OpenApiResponse(ErrorSerializer, description=_DESCRIPTIONS[code]) for code in codes
    }


class Refused(APIException):
    """A 400 with the reason, for a refusal a view decides itself (a service raises
    ValidationError, which the handler turns into the same body); the fields' own errors go
    under "errors"."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "The request was refused."
    default_code = "refused"

    def __init__(self, reason: str, errors: dict | None = None) -> None:
        body: dict = {"detail": reason}
        if errors:
            body["errors"] = errors
        super().__init__(body)


class QueueUnavailable(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "queue_unavailable"


def _first_message(errors: object) -> str:
    if isinstance(errors, dict):
        for field, value in errors.items():
            message = _first_message(value)
            if message:
                return message if field in ("non_field_errors", "detail") else f"{field}: {message}"
        return ""
    if isinstance(errors, list | tuple):
        return next((m for m in (_first_message(v) for v in errors) if m), "")
    return str(errors)


def _from_django(error: DjangoValidationError) -> ApiValidationError | None:
    reasons = list(getattr(error, "reasons", None) or [])
    if not reasons:
        if hasattr(error, "error_dict"):
            reasons = [
                message if field == "__all__" else f"{field}: {message}"
                for field, messages in error.message_dict.items()
                for message in messages
            ]
        else:
            reasons = list(error.messages)
    body = {"detail": " ".join(reasons) or "The request was refused.", "reasons": reasons}
    if hasattr(error, "error_dict"):
        body["errors"] = error.message_dict
    return ApiValidationError(body)


def api_exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = _from_django(exc)
    response = exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(data, dict) and isinstance(data.get("detail"), str):
        return response
    response.data = {"detail": _first_message(data) or "The request was refused.", "errors": data}
    return response
