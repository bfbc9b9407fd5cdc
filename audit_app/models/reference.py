"""Reference data every app shares: the case themes the inspectorate examines."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


class CaseTheme(models.Model):
    """One of the nine inspected case themes, or the force-interest theme. Codes stay stable."""

    code = models.CharField(max_length=8, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    is_force_interest = models.BooleanField(default=False)
    display_order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["display_order", "code"]
        constraints = [
            models.CheckConstraint(condition=~Q(code=""), name="case_theme_code_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"
