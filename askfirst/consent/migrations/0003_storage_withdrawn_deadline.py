"""A deadline on withdrawn storage consent: the worker deactivates the contact
ASKFIRST_WITHDRAWN_GRACE after the withdrawal unless storage is granted again.

Contacts who withdrew before this migration get the grace from now on.
"""

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def arm(apps, schema_editor):
    ConsentState = apps.get_model("consent", "ConsentState")
    ConsentState.objects.filter(
        purpose__key="storage", granted=False, contact__status="answered"
    ).update(deactivate_at=timezone.now() + settings.ASKFIRST_WITHDRAWN_GRACE)


class Migration(migrations.Migration):
    dependencies = [
        ("consent", "0002_purposes"),
        ("contacts", "0006_language_chosen_automatically"),
    ]

    operations = [
        migrations.AddField(
            model_name="consentstate",
            name="deactivate_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name="consentstate",
            index=models.Index(
                condition=models.Q(("deactivate_at__isnull", False)),
                fields=["deactivate_at"],
                name="consentstate_lapse_idx",
            ),
        ),
        migrations.RunPython(arm, migrations.RunPython.noop),
    ]
