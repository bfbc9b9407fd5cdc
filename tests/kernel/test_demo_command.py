import pytest
from django.core.management import CommandError, call_command

from audit_app.audits.models import Audit, AuditRound, AuditState, Moderation
from audit_app.models import Role, RoleAssignment, User

pytestmark = pytest.mark.django_db


def test_demo_makes_one_user_per_role_per_area_and_ten_cases_per_area(settings, capsys):
    settings.DEBUG = True
    call_command("demo")
    output = capsys.readouterr().out
    for area in ("west", "south", "east"):
        for suffix, role in [
            ("auditor", Role.AUDITOR),
            ("moderator", Role.MODERATOR),
            ("leader", Role.SENIOR_LEADER),
            ("manager", Role.AUDIT_MANAGER),
        ]:
            username = f"{area}.{suffix}"
            assert username in output
            assert RoleAssignment.objects.filter(user__username=username, role=role).exists()
        current = AuditRound.objects.get(area__code=area, state="open")
        assert current.audits.count() == 10
        assert current.audits.values("case__theme").distinct().count() == 10
        assert current.audits.filter(state=AuditState.MODERATED).exists()
        assert current.audits.filter(state=AuditState.NOT_STARTED).exists()
    assert RoleAssignment.objects.filter(role=Role.INSPECTOR, area__isnull=True).exists()
    assert "case-audit-demo" in output


def test_demo_twice_changes_nothing(settings):
    settings.DEBUG = True
    call_command("demo")
    counts = (User.objects.count(), Audit.objects.count(), Moderation.objects.count())
    call_command("demo")
    assert (User.objects.count(), Audit.objects.count(), Moderation.objects.count()) == counts


def test_demo_refuses_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("demo")
    assert not User.objects.exists()


def test_demo_moderations_never_moderate_own_audits(settings):
    settings.DEBUG = True
    call_command("demo")
    for moderation in Moderation.objects.select_related("audit"):
        assert moderation.moderator_id != moderation.audit.auditor_id
