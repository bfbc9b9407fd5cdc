"""Every feedback sent before this version went by email and every acknowledgement was recorded
by hand. Its own migration: on PostgreSQL, rows updated in a transaction hold deferred trigger
events, and the table cannot be altered in that transaction."""

from django.db import migrations


def sent_feedback_went_by_email(apps, schema_editor) -> None:
    """Before this version every sent feedback was an email, and every acknowledgement recorded."""
    feedback = apps.get_model("feedback", "Feedback")
    feedback.objects.filter(sent_at__isnull=False).update(method="email")
    feedback.objects.filter(state="acknowledged").update(acknowledged_via="recorded")


def given_feedback_back_to_sent(apps, schema_editor) -> None:
    """Stepping back: before this version feedback was only sent, so feedback given in person or
    by phone is kept as sent on the day it was given (the method is lost with its column)."""
    import datetime

    from django.utils import timezone

    feedback = apps.get_model("feedback", "Feedback")
    for record in feedback.objects.filter(state="given"):
        given = datetime.datetime.combine(record.given_on, datetime.time(12))
        record.state = "sent"
        record.sent_at = timezone.make_aware(given)
        record.save(update_fields=["state", "sent_at"])


class Migration(migrations.Migration):
    dependencies = [
        ('feedback', '0002_given_in_person_and_acknowledgement_links'),
    ]

    operations = [
        migrations.RunPython(sent_feedback_went_by_email, given_feedback_back_to_sent),
    ]
