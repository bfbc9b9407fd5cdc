"""The test suite's settings: the project's own, read from the environment as in production, with
the suite's defaults filled in first. So a bare `pytest` works from a fresh checkout; anything set
in the environment (DATABASE_URL, CELERY_BROKER_URL in CI) still wins.

The suite runs with DEBUG off, as production does, but over plain HTTP on loopback.
"""

import os

for name, value in {
    "SECRET_KEY": "case-audit-test-suite-only-key-never-used-in-any-deployment",
    "API_RATE_USER": "100000/minute",
    "SECURE_SSL_REDIRECT": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
}.items():
    os.environ.setdefault(name, value)

from audit_app.settings import *  # noqa: E402, F403
