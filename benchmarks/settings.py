"""The app's own settings plus a bare view, so the benchmark compares like with like."""

from audit_app.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.urls"
