"""The default severity levels (the four levels of 国家网络安全事件应急预案: 特别重大,
重大, 较大, 一般); the secretariat edits them in the admin."""
from django.db import migrations

DEFAULTS = [
    # code, name, limit (working days), remind every (working days), order
    ("general", "一般（Ⅳ级）", 10, 3, 40),
    ("major", "较大（Ⅲ级）", 5, 2, 30),
    ("serious", "重大（Ⅱ级）", 3, 1, 20),
    ("critical", "特别重大（Ⅰ级）", 1, 1, 10),
]


def create_defaults(apps, schema_editor):
    Severity = apps.get_model("incidents", "Severity")
    for code, name, limit, remind, order in DEFAULTS:
        Severity.objects.get_or_create(code=code, defaults={"name": name, "limit_days": limit, "remind_days": remind,
                                                            "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("incidents", "0001_initial")]
    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
