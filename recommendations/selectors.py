from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from recommendations.models import Recommendation


def recommendations_overview() -> QuerySet[Recommendation]:
    return (
        Recommendation.objects.select_related("inspection")
        .annotate(point_count=Count("points"))
        .order_by("-inspection__published_on", "number")
    )


def recommendation_detail(recommendation_id: int) -> Recommendation:
    return get_object_or_404(
        Recommendation.objects.select_related("inspection__force").prefetch_related("points"),
        pk=recommendation_id,
    )
