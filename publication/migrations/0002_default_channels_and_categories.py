"""The bulletin's columns and the channels of seed 002 §四 as starting data;
the secretariat edits both in the admin. Codes match the item form's old
fixed list (infoflow.ReleaseChannel), so items already marked keep meaning."""
from django.db import migrations

CATEGORIES = [("news", "新闻动态", 10), ("notices", "通知公告", 20), ("briefs", "工作简讯", 30)]
CHANNELS = [
    ("intranet", "门户公告栏", "bulletin", 10),
    ("wechat_oa", "微信公众号", "outside", 30),
    ("notice_board", "宣传栏", "outside", 40),
    ("website", "公司网站", "outside", 50),
]


def forwards(apps, schema_editor):
    BulletinCategory = apps.get_model("publication", "BulletinCategory")
    Channel = apps.get_model("publication", "Channel")
    for code, name, order in CATEGORIES:
        BulletinCategory.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order})
    for code, name, kind, order in CHANNELS:
        Channel.objects.get_or_create(code=code, defaults={"name": name, "kind": kind, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("publication", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
