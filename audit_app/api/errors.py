"""Every API error is JSON with a `detail` reason; field errors are kept under `errors`."""

from __future__ import annotations

from rest_framework.views import exception_handler


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


def api_exception_handler(exc, context):
    response = exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(data, dict) and isinstance(data.get("detail"), str):
        return response
    response.data = {"detail": _first_message(data) or "The request was refused.", "errors": data}
    return response
