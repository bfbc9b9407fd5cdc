"""Feedback moves to its own app. The tables keep their names: Django's state only."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('audits', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='historicalfeedback',
                    name='audit',
                ),
                migrations.RemoveField(
                    model_name='historicalfeedback',
                    name='drafted_by',
                ),
                migrations.RemoveField(
                    model_name='historicalfeedback',
                    name='history_user',
                ),
                migrations.RemoveField(
                    model_name='historicalfeedback',
                    name='recipient',
                ),
                migrations.DeleteModel(
                    name='Feedback',
                ),
                migrations.DeleteModel(
                    name='HistoricalFeedback',
                ),
            ],
        ),
    ]
