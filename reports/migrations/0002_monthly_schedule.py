"""The monthly report's sweep case (reports.sweeps): one AutoReport row, its cursor unset."""
from django.db import migrations


def create_schedule(apps, schema_editor):
    apps.get_model("reports", "AutoReport").objects.get_or_create(kind="monthly", defaults={"enabled": True})


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]
    operations = [migrations.RunPython(create_schedule, migrations.RunPython.noop)]
