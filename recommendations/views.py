from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from recommendations import selectors


def overview(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "recommendations/overview.html",
        {"recommendations": selectors.recommendations_overview()},
    )


def detail(request: HttpRequest, recommendation_id: int) -> HttpResponse:
    return render(
        request,
        "recommendations/detail.html",
        {"recommendation": selectors.recommendation_detail(recommendation_id)},
    )
