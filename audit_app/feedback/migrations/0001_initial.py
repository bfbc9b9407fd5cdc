"""Feedback arrives from the audits app: its tables already exist, so this is Django's state only,
and the content types follow the models so admin history and permissions keep pointing at them."""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


MOVED = ["feedback", "historicalfeedback"]


def _relabel(apps, source: str, target: str) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if content_type.objects.filter(app_label=target, model=model).exists():
            continue
        content_type.objects.filter(app_label=source, model=model).update(app_label=target)


def content_types_forward(apps, schema_editor) -> None:
    _relabel(apps, "audits", "feedback")


def content_types_back(apps, schema_editor) -> None:
    _relabel(apps, "feedback", "audits")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('audit_app', '0012_staff_directory_fields'),
        ('audits', '0002_feedback_moves_to_its_app'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='HistoricalFeedback',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('recipient_role', models.CharField(choices=[('officer', 'Officer in the case'), ('supervisor', 'Supervisor')], max_length=12)),
                        ('good_practice', models.TextField(blank=True, max_length=5000)),
                        ('areas_for_improvement', models.TextField(blank=True, max_length=5000)),
                        ('state', models.CharField(choices=[('drafted', 'Drafted'), ('sent', 'Sent'), ('acknowledged', 'Acknowledged')], default='drafted', max_length=14)),
                        ('drafted_at', models.DateTimeField(blank=True, editable=False)),
                        ('sent_at', models.DateTimeField(blank=True, null=True)),
                        ('acknowledged_on', models.DateField(blank=True, null=True)),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('audit', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='audits.audit')),
                        ('drafted_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('recipient', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='audit_app.staffmember')),
                    ],
                    options={
                        'verbose_name': 'historical feedback',
                        'verbose_name_plural': 'historical feedbacks',
                        'db_table': 'audit_app_historicalfeedback',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='Feedback',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('recipient_role', models.CharField(choices=[('officer', 'Officer in the case'), ('supervisor', 'Supervisor')], max_length=12)),
                        ('good_practice', models.TextField(blank=True, max_length=5000)),
                        ('areas_for_improvement', models.TextField(blank=True, max_length=5000)),
                        ('state', models.CharField(choices=[('drafted', 'Drafted'), ('sent', 'Sent'), ('acknowledged', 'Acknowledged')], default='drafted', max_length=14)),
                        ('drafted_at', models.DateTimeField(auto_now_add=True)),
                        ('sent_at', models.DateTimeField(blank=True, null=True)),
                        ('acknowledged_on', models.DateField(blank=True, null=True)),
                        ('audit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='feedback', to='audits.audit')),
                        ('drafted_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('recipient', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='feedback', to='audit_app.staffmember')),
                    ],
                    options={
                        'db_table': 'audit_app_feedback',
                        'ordering': ['audit', 'recipient_role'],
                        'constraints': [models.UniqueConstraint(fields=('audit', 'recipient_role'), name='one_feedback_per_recipient_role'), models.CheckConstraint(condition=models.Q(('state__in', ['drafted', 'sent', 'acknowledged'])), name='feedback_state_valid'), models.CheckConstraint(condition=models.Q(('state', 'drafted'), ('sent_at__isnull', False), _connector='OR'), name='sent_feedback_has_date'), models.CheckConstraint(condition=models.Q(models.Q(('state', 'acknowledged'), _negated=True), ('acknowledged_on__isnull', False), _connector='OR'), name='acknowledged_feedback_has_date')],
                    },
                ),
            ],
        ),
        migrations.RunPython(content_types_forward, content_types_back),
    ]
