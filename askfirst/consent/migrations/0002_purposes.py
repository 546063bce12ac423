"""The four purposes and the first version of their consent texts."""

from django.db import migrations

from askfirst.consent.defaults import purposes_install


def create(apps, schema_editor):
    purposes_install(apps)


class Migration(migrations.Migration):
    dependencies = [("consent", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
