"""What every report test shares: PDFs go to a throwaway media directory, and `compiled` asks
for a report and runs its task in-process on commit."""

from __future__ import annotations

import pytest

from audit_app.reports import services
from audit_app.reports.models import PvpReportVersion


@pytest.fixture(autouse=True)
def report_media(settings, tmp_path):
    """Report PDFs go to a throwaway media directory, not the project's."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def compiled(django_capture_on_commit_callbacks):
    """Ask for a report and run its task (in-process) on commit; give back the stored version."""

    def run(*, force, area, month) -> PvpReportVersion:
        with django_capture_on_commit_callbacks(execute=True):
            outcome = services.report_request(force=force, area=area, month=month, by=None)
        return PvpReportVersion.objects.select_related("report").get(pk=outcome.version.pk)

    return run
