"""The portal bulletin channel keeps the name the item pages and archived
records already show for its code (内网网站, infoflow.ReleaseChannel), now
that the channel names come from this table."""
from django.db import migrations


def forwards(apps, schema_editor):
    Channel = apps.get_model("publication", "Channel")
    Channel.objects.filter(code="intranet", name="门户公告栏").update(name="内网网站")


class Migration(migrations.Migration):
    dependencies = [("publication", "0002_default_channels_and_categories")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
