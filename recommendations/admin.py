from django.contrib import admin

from recommendations import models


class RecommendationPointInline(admin.TabularInline):
    model = models.RecommendationPoint
    extra = 0


class EvidenceQuestionInline(admin.TabularInline):
    model = models.EvidenceQuestion
    extra = 0


class EvidenceThemeInline(admin.TabularInline):
    model = models.EvidenceTheme
    extra = 0


@admin.register(models.Inspection)
class InspectionAdmin(admin.ModelAdmin):
    list_display = ["title", "body", "force", "published_on"]


@admin.register(models.Recommendation)
class RecommendationAdmin(admin.ModelAdmin):
    list_display = ["number", "heading", "timescale", "inspection"]
    list_filter = ["inspection", "heading", "timescale"]
    inlines = [RecommendationPointInline, EvidenceQuestionInline, EvidenceThemeInline]


@admin.register(models.RecommendationPoint)
class RecommendationPointAdmin(admin.ModelAdmin):
    list_display = ["__str__", "recommendation"]


@admin.register(models.RecommendationAction)
class RecommendationActionAdmin(admin.ModelAdmin):
    list_display = ["pk", "recommendation", "point", "owner", "due_on", "state"]
    list_filter = ["state", "recommendation__inspection"]
    list_select_related = ["recommendation", "point__recommendation"]
    readonly_fields = ["revision", "created_by", "created_at", "updated_by", "updated_at"]


@admin.register(models.ProgressAssessment)
class ProgressAssessmentAdmin(admin.ModelAdmin):
    """Read-only: an assessment is never changed or deleted once recorded."""

    list_display = [
        "recommendation",
        "kind",
        "assessed_on",
        "rating_shown",
        "has_source_quote",
        "recorded_by",
        "source",
    ]
    list_filter = ["kind", "rating"]

    @admin.display(description="Rating (whose: see kind)", ordering="rating")
    def rating_shown(self, obj) -> str:
        if obj.rating:
            return obj.get_rating_display()
        return "None given: the source's words are quoted"

    @admin.display(description="Quotes its source", boolean=True)
    def has_source_quote(self, obj) -> bool:
        return bool(obj.source_quote)

    list_select_related = ["recommendation", "recorded_by"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
