"""Load demo data and sign an auditor in; print the session cookie and the walk's page paths."""

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.urls import reverse  # noqa: E402

from audit_app.audits.models import AuditState  # noqa: E402
from audit_app.demo.world import build_demo  # noqa: E402
from audit_app.models import User  # noqa: E402

call_command("load_reference_data", verbosity=0)
build_demo()
auditor = User.objects.get(username="west.auditor")
audit = auditor.audits.filter(state=AuditState.IN_PROGRESS).first()
session = SessionStore()
session[SESSION_KEY] = str(auditor.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = auditor.get_session_auth_hash()
session.save()
print(f"{settings.SESSION_COOKIE_NAME}={session.session_key}")
for name, args in [
    ("audit_overview", [audit.pk]),
    ("audit_section", [audit.pk, "C"]),
    ("audit_check", [audit.pk]),
    ("my_audits", []),
]:
    print(reverse(name, args=args))
