"""Admin pages for every model. A published question set is shown read-only."""

from django.contrib import admin

from audit_app.audits import models


class PublishedSetReadOnly:
    """Rows of a published question set cannot be added, changed or deleted."""

    def _set_of(self, obj):
        return obj if isinstance(obj, models.QuestionSet) else obj.owning_question_set()

    def has_change_permission(self, request, obj=None):
        if obj is not None and not self._set_of(obj).is_editable:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not self._set_of(obj).is_editable:
            return False
        return super().has_delete_permission(request, obj)


class QuestionSectionInline(PublishedSetReadOnly, admin.TabularInline):
    model = models.QuestionSection
    extra = 0

    def has_add_permission(self, request, obj=None):
        return obj is None or obj.is_editable


class GradeSuggestionRuleInline(QuestionSectionInline):
    model = models.GradeSuggestionRule


@admin.register(models.QuestionSet)
class QuestionSetAdmin(PublishedSetReadOnly, admin.ModelAdmin):
    list_display = ["version", "title", "state", "published_at"]
    inlines = [QuestionSectionInline, GradeSuggestionRuleInline]
    readonly_fields = ["state", "published_at"]
    actions = ["publish"]

    @admin.action(description="Publish the selected draft question sets")
    def publish(self, request, queryset):
        from audit_app.audits.services import question_set_publish

        for question_set in queryset:
            question_set_publish(question_set=question_set)


@admin.register(models.QuestionSection)
class QuestionSectionAdmin(PublishedSetReadOnly, admin.ModelAdmin):
    list_display = ["code", "title", "question_set", "display_order"]
    list_filter = ["question_set"]


@admin.register(models.Question)
class QuestionAdmin(PublishedSetReadOnly, admin.ModelAdmin):
    list_display = ["code", "number", "short_text", "section", "is_critical"]
    list_filter = ["question_set", "is_critical", "applies_to_themes"]
    search_fields = ["code", "text"]
    filter_horizontal = ["applies_to_themes"]
    list_select_related = ["section"]

    @admin.display(description="Question")
    def short_text(self, obj):
        return obj.text[:80]


@admin.register(models.GradeSuggestionRule)
class GradeSuggestionRuleAdmin(PublishedSetReadOnly, admin.ModelAdmin):
    list_display = ["question_set", "answer", "scope", "suggests"]


@admin.register(models.AuditRound)
class AuditRoundAdmin(admin.ModelAdmin):
    list_display = ["area", "month", "kind", "state", "due_date"]
    list_filter = ["state", "kind", "area"]
    date_hierarchy = "month"
    list_select_related = ["area"]


@admin.register(models.Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["reference", "theme", "area", "team", "occurred_on"]
    list_filter = ["area", "theme", "team__team_type"]
    search_fields = ["reference"]
    list_select_related = ["theme", "area", "team"]
    raw_id_fields = ["officer_in_case", "supervisor"]


class AnswerInline(admin.TabularInline):
    model = models.Answer
    extra = 0
    raw_id_fields = ["question"]


@admin.register(models.Audit)
class AuditAdmin(admin.ModelAdmin):
    list_display = ["case", "round", "auditor", "state", "grade", "question_set"]
    list_filter = ["state", "grade", "round__area"]
    search_fields = ["case__reference"]
    list_select_related = ["case", "round__area", "auditor", "question_set"]
    raw_id_fields = ["case", "round"]
    inlines = [AnswerInline]


@admin.register(models.AuditSubmission)
class AuditSubmissionAdmin(admin.ModelAdmin):
    list_display = ["audit", "number", "submitted_by", "submitted_at", "grade"]
    raw_id_fields = ["audit"]


@admin.register(models.Answer)
class AnswerAdmin(admin.ModelAdmin):
    list_display = ["audit", "question", "value"]
    list_filter = ["value"]
    raw_id_fields = ["audit", "question"]


@admin.register(models.FindingTheme)
class FindingThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "is_controlled", "is_active"]
    list_filter = ["is_controlled", "is_active"]
    search_fields = ["name"]


@admin.register(models.Moderation)
class ModerationAdmin(admin.ModelAdmin):
    list_display = [
        "audit",
        "moderator",
        "decision",
        "original_grade",
        "agreed_grade",
        "created_at",
    ]
    list_filter = ["decision", "is_blind"]
    raw_id_fields = ["audit"]
    filter_horizontal = ["themes"]


@admin.register(models.SafeguardingEscalation)
class SafeguardingEscalationAdmin(admin.ModelAdmin):
    list_display = ["audit", "raised_by", "raised_at", "respond_by", "state"]
    list_filter = ["state"]
    raw_id_fields = ["audit"]


@admin.register(models.AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit trail: read only."""

    list_display = ["audit", "kind", "actor", "at", "from_state", "to_state", "grade"]
    list_filter = ["kind"]
    raw_id_fields = ["audit"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.BlindGrade)
class BlindGradeAdmin(admin.ModelAdmin):
    list_display = ["audit", "submission_number", "moderator", "grade", "recorded_at"]
    raw_id_fields = ["audit"]


@admin.register(models.ModerationPolicy)
class ModerationPolicyAdmin(admin.ModelAdmin):
    list_display = ["force", "blind_share_percent", "updated_at"]
