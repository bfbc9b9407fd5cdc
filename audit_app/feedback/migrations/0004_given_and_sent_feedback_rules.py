"""The rules of the new states, once every row follows them."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ('feedback', '0003_sent_feedback_went_by_email'),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='feedback',
            constraint=models.CheckConstraint(condition=models.Q(('state__in', ['drafted', 'sent', 'acknowledged', 'given'])), name='feedback_state_valid'),
        ),
        migrations.AddConstraint(
            model_name='feedback',
            constraint=models.CheckConstraint(condition=models.Q(('method', ''), ('method__in', ['email', 'in_person', 'phone']), _connector='OR'), name='feedback_method_valid'),
        ),
        migrations.AddConstraint(
            model_name='feedback',
            constraint=models.CheckConstraint(condition=models.Q(('state__in', ['drafted', 'given']), models.Q(('method', 'email'), ('sent_at__isnull', False)), _connector='OR'), name='sent_feedback_has_date'),
        ),
        migrations.AddConstraint(
            model_name='feedback',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('state', 'given'), _negated=True), models.Q(('given_on__isnull', False), ('method__in', ['in_person', 'phone'])), _connector='OR'), name='given_feedback_has_date_and_method'),
        ),
    ]
