"""Inspections and the recommendations they made, with their bullet points and timescales."""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q


class Heading(models.TextChoices):
    LEADERSHIP = "leadership", "Leadership, management and governance"
    INITIAL_CONTACT = "initial_contact", "Initial contact"
    ASSESSMENT_HELP = "assessment_help", "Assessment and help"
    INVESTIGATION = "investigation", "Investigation"
    DECISION_MAKING = "decision_making", "Decision-making"
    POLICE_DETENTION = "police_detention", "Police detention"


class Timescale(models.TextChoices):
    IMMEDIATELY = "immediately", "Immediately"
    THREE_MONTHS = "three_months", "Within three months"
    SIX_MONTHS = "six_months", "Within six months"


TIMESCALE_MONTHS = {Timescale.IMMEDIATELY: 0, Timescale.THREE_MONTHS: 3, Timescale.SIX_MONTHS: 6}


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, clamped to the month's end (31 Jan + 1 month = 28 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    next_month_first = datetime.date(year + (month == 12), month % 12 + 1, 1)
    last_day = (next_month_first - datetime.timedelta(days=1)).day
    return datetime.date(year, month, min(day.day, last_day))


class Inspection(models.Model):
    body = models.CharField(max_length=40, default="HMICFRS")
    force = models.ForeignKey(
        "audit_app.Force", on_delete=models.PROTECT, related_name="inspections"
    )
    reference = models.SlugField(max_length=60, unique=True)
    title = models.CharField(max_length=250)
    fieldwork_start = models.DateField(null=True, blank=True)
    fieldwork_end = models.DateField(null=True, blank=True)
    published_on = models.DateField()

    class Meta:
        ordering = ["-published_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(fieldwork_end__isnull=True)
                | Q(fieldwork_start__isnull=True)
                | Q(fieldwork_end__gte=models.F("fieldwork_start")),
                name="inspection_fieldwork_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Recommendation(models.Model):
    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="recommendations"
    )
    number = models.PositiveSmallIntegerField()
    heading = models.CharField(max_length=20, choices=Heading.choices)
    timescale = models.CharField(max_length=14, choices=Timescale.choices)
    text = models.TextField(help_text="The recommendation as published, up to its bullet points.")

    class Meta:
        ordering = ["inspection", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "number"], name="recommendation_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(heading__in=Heading.values), name="recommendation_heading_valid"
            ),
            models.CheckConstraint(
                condition=Q(timescale__in=Timescale.values), name="recommendation_timescale_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Recommendation {self.number}: {self.get_heading_display()}"

    @property
    def due_on(self) -> datetime.date:
        return add_months(self.inspection.published_on, TIMESCALE_MONTHS[self.timescale])


class RecommendationPoint(models.Model):
    """One bullet point of a recommendation, kept apart so actions can answer it."""

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="points"
    )
    order = models.PositiveSmallIntegerField()
    text = models.TextField()

    class Meta:
        ordering = ["recommendation", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "order"], name="recommendation_point_order_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recommendation.number}.{self.order}"
