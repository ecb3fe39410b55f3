"""The default categories of cases (data: the handlers edit them in the admin)."""
from django.db import migrations

CATEGORIES = ["工作环境", "生产安全", "管理制度", "产品与市场", "客户服务", "员工福利", "工作作风", "其他"]


def create_defaults(apps, schema_editor):
    Category = apps.get_model("suggestions", "Category")
    for order, name in enumerate(CATEGORIES, 1):
        Category.objects.get_or_create(name=name, defaults={"sort_order": order * 10})


class Migration(migrations.Migration):
    dependencies = [("suggestions", "0001_initial")]
    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
