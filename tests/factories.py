"""factory_boy factories for every model. Defaults make a coherent, valid row."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from audit_app import models
from audit_app.audits import models as audits_models
from audit_app.months import add_months
from audit_app.notifications import models as notifications_models
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


class SafeguardingEscalationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = audits_models.SafeguardingEscalation

    audit = factory.SubFactory(AuditFactory)
    raised_by = factory.LazyAttribute(lambda o: o.audit.auditor)
    concern = "The suspect still lives at the address."
    respond_by = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=1))


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
