"""Version 1 of every mail text, from askfirst/templates/emails/."""

from django.db import migrations


def install(apps, schema_editor):
    from askfirst.mail.services import mail_templates_install

    mail_templates_install(template_model=apps.get_model("mail", "MailTemplate"))


class Migration(migrations.Migration):
    dependencies = [("mail", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
