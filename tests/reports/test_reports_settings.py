"""Report settings from the environment: the file store, the monthly schedule, time limits."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = (
    "import django; django.setup();"
    "from django.conf import settings;"
    "from audit_app.reports.models import PvpReportVersion;"
    "storage = PvpReportVersion._meta.get_field('file').storage;"
    "print(type(storage).__module__ + '.' + type(storage).__name__,"
    " getattr(storage, 'bucket_name', '-'),"
    " settings.CELERY_BEAT_SCHEDULE['monthly-pvp-reports']['schedule'].day_of_month)"
)


def probe(**env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "REPORT_", "CELERY_TASK_"))
    }
    clean.update({"DEBUG": "1", "DJANGO_SETTINGS_MODULE": "audit_app.settings", **env})
    return subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True
    )


def test_reports_are_stored_on_local_disk_by_default():
    result = probe()
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.core.files.storage.filesystem.FileSystemStorage",
        "-",
        "{5}",
    ]


def test_an_s3_compatible_store_by_setting():
    result = probe(
        REPORT_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME="pvp-reports",
        AWS_S3_ENDPOINT_URL="https://minio.internal:9000",
        REPORT_DAY_OF_MONTH="7",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["storages.backends.s3.S3Storage", "pvp-reports", "{7}"]


def test_bad_report_settings_stop_the_app_with_the_reason():
    for env, message in [
        ({"REPORT_STORAGE": "s3"}, "REPORT_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME"),
        ({"REPORT_STORAGE": "ftp"}, "REPORT_STORAGE must be local or s3"),
        ({"REPORT_DAY_OF_MONTH": "31"}, "REPORT_DAY_OF_MONTH must be a day from 1 to 28"),
        ({"REPORT_HOUR": "24"}, "REPORT_HOUR must be an hour from 0 to 23"),
        (
            {"CELERY_TASK_SOFT_TIME_LIMIT": "400", "CELERY_TASK_TIME_LIMIT": "300"},
            "CELERY_TASK_SOFT_TIME_LIMIT must be positive and below CELERY_TASK_TIME_LIMIT",
        ),
    ]:
        result = probe(**env)
        assert result.returncode != 0, env
        assert message in result.stderr, env
