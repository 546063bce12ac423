"""The request mail names what the data is used for, the legal basis, and that
consent can be withdrawn at any time (GDPR Art. 13/14, Art. 7(3)).

Existing databases whose request text is still the one shipped before get the
new wording as their next version; a text staff have edited stays theirs.
"""

from django.db import migrations

# SHA-256 of the request bodies shipped before this change.
SHIPPED_BEFORE = {
    "de": {"f781750520e5bae69298d9f21fb020d11c4055e5457d4c37bc5d03d3503e5a72"},
    "en": {"22790b52861f210ae0bc2b2379107f857bfdfc86d02b4978f828a76be85151b7"},
}


def upgrade(apps, schema_editor):
    from askfirst.mail.services import mail_text_upgrade

    for language, replaces in SHIPPED_BEFORE.items():
        mail_text_upgrade(
            name="request",
            language=language,
            replaces=replaces,
            template_model=apps.get_model("mail", "MailTemplate"),
        )


class Migration(migrations.Migration):
    dependencies = [("mail", "0006_smtp_outage")]

    operations = [migrations.RunPython(upgrade, migrations.RunPython.noop)]
