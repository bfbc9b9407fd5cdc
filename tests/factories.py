"""factory_boy factories for every model. Defaults make a coherent, valid row."""

from __future__ import annotations

import datetime
import hashlib

import factory
from django.utils import timezone

from audit_app import models
from audit_app.access_log import models as access_log_models
from audit_app.accounts import models as accounts_models
from audit_app.audits import models as audits_models
from audit_app.directory import models as directory_models
from audit_app.feedback import models as feedback_models
from audit_app.months import add_months
from audit_app.notifications import models as notifications_models
from audit_app.reports import models as reports_models
from audit_app.rounds import models as rounds_models
from recommendations import models as rec_models

TEST_PASSWORD = "correct-horse-battery-staple"


class ForceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Force
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"force-{n}")
    name = factory.Sequence(lambda n: f"Test Constabulary {n}")


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Area

    force = factory.SubFactory(ForceFactory)
    code = factory.Sequence(lambda n: f"area-{n}")
    name = factory.Sequence(lambda n: f"Area {n}")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Team

    area = factory.SubFactory(AreaFactory)
    code = factory.Sequence(lambda n: f"team-{n}")
    name = factory.Sequence(lambda n: f"Team {n}")
    team_type = models.TeamType.SPECIALIST


class StaffMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.StaffMember

    team = factory.SubFactory(TeamFactory)
    force = factory.LazyAttribute(lambda o: o.team.area.force)
    identifier = factory.Sequence(lambda n: f"{10000 + n}")
    rank = "PC"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User {n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.police.uk")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save(update_fields=["password"])


class RoleAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.RoleAssignment

    user = factory.SubFactory(UserFactory)
    role = models.Role.AUDITOR
    area = factory.SubFactory(AreaFactory)
    force = factory.LazyAttribute(lambda o: o.area.force if o.area else ForceFactory())


def user_with_role(
    role: str, area: models.Area | None, force: models.Force | None = None, **kwargs
):
    """A user holding `role` over `area` (or force-wide when `area` is None)."""
    user = UserFactory(**kwargs)
    RoleAssignmentFactory(user=user, role=role, area=area, force=force or area.force)
    return user


class CaseThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.CaseTheme
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"T{n}")
    name = factory.Sequence(lambda n: f"Theme {n}")
    display_order = factory.Sequence(lambda n: n)


class ApiTokenFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = accounts_models.ApiToken

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"BI export {n}")
    prefix = factory.Sequence(lambda n: f"{n:08x}")
    # `token_create` hashes a random key; this stand-in is the hash of a fixed, known key.
    key_hash = factory.LazyAttribute(
        lambda o: hashlib.sha256(f"ca_{o.prefix}_test-secret".encode()).hexdigest()
    )


class AccessLogEntryFactory(factory.django.DjangoModelFactory):
    """Append-only: the row is saved once and refuses any later save or delete."""

    class Meta:
        model = access_log_models.AccessLogEntry

    user = factory.SubFactory(UserFactory)
    action = access_log_models.AccessAction.VIEW
    record_type = "audit"
    record_id = "1"
    method = "GET"
    path = "/audits/1/"
    status = 200


class QuestionSetFactory(factory.django.DjangoModelFactory):
    """A draft set: add sections and questions, then publish with `question_set_publish`."""

    class Meta:
        model = audits_models.QuestionSet

    version = factory.Sequence(lambda n: 100 + n)
    title = "Test question set"


class QuestionSectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = audits_models.QuestionSection

    question_set = factory.SubFactory(QuestionSetFactory)
    code = factory.Sequence(lambda n: f"S{n}")
    title = factory.Sequence(lambda n: f"Section {n}")
    display_order = factory.Sequence(lambda n: n)


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = audits_models.Question

    section = factory.SubFactory(QuestionSectionFactory)
    question_set = factory.LazyAttribute(lambda o: o.section.question_set)
    number = factory.Sequence(lambda n: n + 1)
    code = factory.LazyAttribute(lambda o: f"Q{o.number:02d}")
    text = factory.Sequence(lambda n: f"Was thing {n} done?")
    guidance = "Look in the log."
    is_critical = False


class GradeSuggestionRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = audits_models.GradeSuggestionRule

    question_set = factory.SubFactory(QuestionSetFactory)
    answer = audits_models.AnswerValue.NO
    scope = audits_models.RuleScope.CRITICAL
    suggests = audits_models.Grade.INADEQUATE


class AuditRoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = audits_models.AuditRound

    area = factory.SubFactory(AreaFactory)
    month = factory.LazyFunction(lambda: timezone.localdate().replace(day=1))
    state = audits_models.RoundState.OPEN
    # The month's last day, so a round of the current month is never overdue.
    due_date = factory.LazyAttribute(lambda o: add_months(o.month, 1) - datetime.timedelta(days=1))


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = audits_models.Case

    area = factory.SubFactory(AreaFactory)
    reference = factory.Sequence(lambda n: f"REF-{n:06d}")
    theme = factory.SubFactory(CaseThemeFactory)
    team = factory.SubFactory(TeamFactory, area=factory.SelfAttribute("..area"))
    station = "Central"
    occurred_on = datetime.date(2026, 1, 5)


class AuditFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = audits_models.Audit

    round = factory.SubFactory(AuditRoundFactory)
    case = factory.SubFactory(CaseFactory, area=factory.SelfAttribute("..round.area"))
    auditor = factory.SubFactory(UserFactory)
    question_set = factory.SubFactory(QuestionSetFactory)
    state = audits_models.AuditState.NOT_STARTED


class AnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = audits_models.Answer

    audit = factory.SubFactory(AuditFactory)
    question = factory.SubFactory(
        QuestionFactory,
        section__question_set=factory.SelfAttribute("...audit.question_set"),
    )
    value = audits_models.AnswerValue.YES


class AuditSubmissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = audits_models.AuditSubmission

    audit = factory.SubFactory(
        AuditFactory,
        state=audits_models.AuditState.SUBMITTED,
        grade=audits_models.Grade.GOOD,
        suggested_grade=audits_models.Grade.GOOD,
        submitted_at=factory.LazyFunction(timezone.now),
    )
    number = factory.Sequence(lambda n: n + 1)
    submitted_by = factory.LazyAttribute(lambda o: o.audit.auditor)
    submitted_at = factory.LazyAttribute(lambda o: o.audit.submitted_at)
    grade = factory.LazyAttribute(lambda o: o.audit.grade)
    suggested_grade = factory.LazyAttribute(lambda o: o.audit.suggested_grade)


class FindingThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = audits_models.FindingTheme

    name = factory.Sequence(lambda n: f"Finding theme {n}")


class ModerationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = audits_models.Moderation

    audit = factory.SubFactory(
        AuditFactory,
        state=audits_models.AuditState.MODERATED,
        grade=audits_models.Grade.GOOD,
        submitted_at=factory.LazyFunction(timezone.now),
    )
    moderator = factory.SubFactory(UserFactory)
    auditor = factory.LazyAttribute(lambda o: o.audit.auditor)
    decision = audits_models.ModerationDecision.AGREED
    original_grade = factory.LazyAttribute(lambda o: o.audit.grade)
    agreed_grade = factory.LazyAttribute(lambda o: o.audit.grade)


class BlindGradeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = audits_models.BlindGrade

    audit = factory.SubFactory(
        AuditFactory,
        state=audits_models.AuditState.SUBMITTED,
        grade=audits_models.Grade.GOOD,
        submitted_at=factory.LazyFunction(timezone.now),
        is_blind=True,
    )
    submission_number = factory.Sequence(lambda n: n + 1)
    moderator = factory.SubFactory(UserFactory)
    grade = audits_models.Grade.GOOD


class AuditEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = audits_models.AuditEvent

    audit = factory.SubFactory(
        AuditFactory,
        state=audits_models.AuditState.IN_PROGRESS,
        started_at=factory.LazyFunction(timezone.now),
    )
    kind = audits_models.AuditEventKind.STARTED
    actor = factory.LazyAttribute(lambda o: o.audit.auditor)
    from_state = audits_models.AuditState.NOT_STARTED
    to_state = factory.LazyAttribute(lambda o: o.audit.state)


class ModerationPolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = audits_models.ModerationPolicy

    force = factory.SubFactory(ForceFactory)
    blind_share_percent = 20


class SafeguardingEscalationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = audits_models.SafeguardingEscalation

    audit = factory.SubFactory(AuditFactory)
    raised_by = factory.LazyAttribute(lambda o: o.audit.auditor)
    concern = "The suspect still lives at the address."
    respond_by = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=1))


class FeedbackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = feedback_models.Feedback

    audit = factory.SubFactory(
        AuditFactory,
        state=audits_models.AuditState.MODERATED,
        grade=audits_models.Grade.GOOD,
        moderated_grade=audits_models.Grade.GOOD,
        submitted_at=factory.LazyFunction(timezone.now),
        moderated_at=factory.LazyFunction(timezone.now),
    )
    recipient = factory.SubFactory(
        StaffMemberFactory, team=factory.SelfAttribute("..audit.case.team")
    )
    recipient_role = feedback_models.FeedbackRole.OFFICER
    good_practice = "The risk assessment was thorough."
    areas_for_improvement = "Record the supervisor's review."
    drafted_by = factory.SubFactory(UserFactory)


class CaseImportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = rounds_models.CaseImport

    force = factory.SubFactory(ForceFactory)
    uploaded_by = factory.SubFactory(UserFactory)
    file_name = factory.Sequence(lambda n: f"cases-{n}.csv")
    file_format = rounds_models.CaseImportFormat.CSV
    # Checked and awaiting confirmation: the uploaded file is deleted once its rows are checked.
    state = rounds_models.CaseImportState.READY


class StaffImportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = directory_models.StaffImport

    force = factory.SubFactory(ForceFactory)
    uploaded_by = factory.SubFactory(UserFactory)
    file_name = factory.Sequence(lambda n: f"staff-{n}.csv")
    state = directory_models.StaffImportState.READY


class StaffImportRowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = directory_models.StaffImportRow

    staff_import = factory.SubFactory(StaffImportFactory)
    row_number = factory.Sequence(lambda n: n + 2)  # the header is row 1
    outcome = directory_models.StaffRowOutcome.UNCHANGED
    identifier = factory.Sequence(lambda n: f"S{n:05d}")
    name = "Ann Example"


class CaseImportRowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = rounds_models.CaseImportRow

    case_import = factory.SubFactory(CaseImportFactory)
    row_number = factory.Sequence(lambda n: n + 2)  # the header is row 1
    outcome = rounds_models.RowOutcome.ACCEPTED
    reference = factory.Sequence(lambda n: f"IMP-{n:06d}")


class SelectionSlotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = rounds_models.SelectionSlot

    round = factory.SubFactory(AuditRoundFactory)
    position = factory.Sequence(lambda n: n)
    theme = factory.SubFactory(CaseThemeFactory)
    # Cases recorded in the month before the round's are audited in it.
    source_month = factory.LazyAttribute(lambda o: add_months(o.round.month, -1))
    case = factory.SubFactory(
        CaseFactory,
        area=factory.SelfAttribute("..round.area"),
        theme=factory.SelfAttribute("..theme"),
        occurred_on=factory.SelfAttribute("..source_month"),
    )
    eligible_count = 1


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = notifications_models.Notification

    recipient = factory.SubFactory(UserFactory)
    subject = "A case is waiting"
    body = "Audit 1 has been allocated to you."


class InspectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = rec_models.Inspection

    force = factory.SubFactory(ForceFactory)
    reference = factory.Sequence(lambda n: f"inspection-{n}")
    title = factory.Sequence(lambda n: f"Inspection {n}")
    published_on = datetime.date(2018, 1, 31)


class RecommendationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = rec_models.Recommendation

    inspection = factory.SubFactory(InspectionFactory)
    number = factory.Sequence(lambda n: n + 1)
    heading = rec_models.Heading.INVESTIGATION
    timescale = rec_models.Timescale.THREE_MONTHS
    text = "Within three months, the force should improve its practice."


class RecommendationPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = rec_models.RecommendationPoint

    recommendation = factory.SubFactory(RecommendationFactory)
    order = factory.Sequence(lambda n: n + 1)
    text = "ensuring investigations are supervised;"


class EvidenceQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = rec_models.EvidenceQuestion

    recommendation = factory.SubFactory(RecommendationFactory)
    question_code = factory.Sequence(lambda n: f"Q{n + 1:02d}")


class EvidenceThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = rec_models.EvidenceTheme

    recommendation = factory.SubFactory(RecommendationFactory)
    theme = factory.SubFactory(CaseThemeFactory)


class RecommendationActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = rec_models.RecommendationAction

    recommendation = factory.SubFactory(RecommendationFactory)
    description = "Brief every child protection team on supervision."
    owner = "Head of PPU"
    due_on = factory.LazyAttribute(lambda o: o.recommendation.due_on)
    created_by = factory.SubFactory(UserFactory)
    updated_by = factory.SelfAttribute("created_by")


class ProgressAssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = rec_models.ProgressAssessment

    recommendation = factory.SubFactory(RecommendationFactory)
    kind = rec_models.AssessorKind.FORCE
    assessed_on = datetime.date(2018, 6, 30)
    rating = rec_models.Rating.IN_PROGRESS
    narrative = "Supervision is now recorded in most cases."
    recorded_by = factory.SubFactory(UserFactory)


class PvpReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = reports_models.PvpReport

    area = factory.SubFactory(AreaFactory)
    force = factory.LazyAttribute(lambda o: o.area.force if o.area else ForceFactory())
    month = factory.LazyFunction(lambda: timezone.localdate().replace(day=1))


STAND_IN_PDF = b"%PDF-1.7 stand-in"


class PvpReportVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = reports_models.PvpReportVersion
        skip_postgeneration_save = True

    report = factory.SubFactory(PvpReportFactory)
    number = factory.LazyAttribute(lambda o: o.report.last_version + 1)
    state = reports_models.ReportState.READY
    generated_at = factory.LazyFunction(timezone.now)
    finished_at = factory.SelfAttribute("generated_at")
    # Rendering stores a real PDF; a ready row needs only a name, size and digest (none is written).
    file = factory.Sequence(lambda n: f"pvp/stand-in-{n}.pdf")
    size = len(STAND_IN_PDF)
    sha256 = hashlib.sha256(STAND_IN_PDF).hexdigest()

    @factory.post_generation
    def bump_report_counter(obj, create, extracted, **kwargs):
        # As `report_request` does, so the next version the service makes takes the next number.
        if create and obj.report.last_version < obj.number:
            obj.report.last_version = obj.number
            obj.report.save(update_fields=["last_version"])


class DownloadLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = reports_models.DownloadLog

    version = factory.SubFactory(PvpReportVersionFactory)
    user = factory.SubFactory(UserFactory)


class MeetingActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = reports_models.MeetingAction

    area = factory.SubFactory(AreaFactory)
    force = factory.LazyAttribute(lambda o: o.area.force if o.area else ForceFactory())
    meeting_month = factory.LazyFunction(lambda: timezone.localdate().replace(day=1))
    description = "Brief the teams on recording the voice of the child."
    action_type = reports_models.ActionType.BRIEFING
    owner = "Detective Inspector, PPU"
    due_on = factory.LazyAttribute(lambda o: add_months(o.meeting_month, 1))
    created_by = factory.SubFactory(UserFactory)
    updated_by = factory.SelfAttribute("created_by")


class KeyMessagesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = reports_models.KeyMessages

    force = factory.LazyAttribute(lambda o: o.area.force if o.area else ForceFactory())
    area = factory.SubFactory(AreaFactory)
    month = datetime.date(2026, 3, 1)
    text = "Record the child's voice in every strategy discussion."
    written_by = factory.SubFactory(UserFactory)
