from django.contrib import admin

from recommendations import models


class RecommendationPointInline(admin.TabularInline):
    model = models.RecommendationPoint
    extra = 0


@admin.register(models.Inspection)
class InspectionAdmin(admin.ModelAdmin):
    list_display = ["title", "body", "force", "published_on"]


@admin.register(models.Recommendation)
class RecommendationAdmin(admin.ModelAdmin):
    list_display = ["number", "heading", "timescale", "inspection"]
    list_filter = ["inspection", "heading", "timescale"]
    inlines = [RecommendationPointInline]


@admin.register(models.RecommendationPoint)
class RecommendationPointAdmin(admin.ModelAdmin):
    list_display = ["__str__", "recommendation"]
