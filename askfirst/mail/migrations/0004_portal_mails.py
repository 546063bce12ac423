"""The portal's three mails become named mails with staff-editable texts.

Version 1 of `email_confirm`, `email_changed` and `password_changed` comes from
askfirst/templates/emails/ like the others (0002). On a database where 0002
already ran only these texts are missing, and only they are added; on a new
database 0002 has installed them already and this step adds nothing.
"""

from django.db import migrations, models


def install(apps, schema_editor):
    from askfirst.mail.services import mail_templates_install

    mail_templates_install(template_model=apps.get_model("mail", "MailTemplate"))


NAME_CHOICES = [
    ("request", "Consent request"),
    ("reminder", "Reminder"),
    ("deletion", "Deletion confirmation"),
    ("portal", "Portal link"),
    ("email_confirm", "New address confirmation"),
    ("email_changed", "Address changed notice"),
    ("password_changed", "Password changed notice"),
]


class Migration(migrations.Migration):
    dependencies = [("mail", "0003_outbox_message_lz4")]

    operations = [
        migrations.AlterField(
            model_name="mailtemplate",
            name="name",
            field=models.CharField(choices=NAME_CHOICES, max_length=16, verbose_name="mail"),
        ),
        migrations.AlterField(
            model_name="outbox",
            name="name",
            field=models.CharField(choices=NAME_CHOICES, max_length=16, verbose_name="mail"),
        ),
        migrations.RunPython(install, migrations.RunPython.noop),
    ]
