"""The API's router: record ids in URLs are digits, so `/api/audits/abc/` is a plain 404.

At most 18 of them: a longer id cannot name a row, and one of thousands of digits would otherwise
reach int() (which refuses strings over 4,300 digits) or overflow a database integer.
"""

from rest_framework.routers import DefaultRouter


class Router(DefaultRouter):
    include_root_view = False

    def __init__(self) -> None:
        super().__init__(trailing_slash=True)
        self._default_value_pattern = "[0-9]{1,18}"
