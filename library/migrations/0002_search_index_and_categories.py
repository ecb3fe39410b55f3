"""The full-text index (PostgreSQL only: a GIN index on exactly the
expression library.search.SimpleVector writes) and the library's first
categories (seed 000 §2 / issue 19: 法规、政策、市场情报、政策情报、模板),
which the secretariat then edits in the admin."""
from django.db import migrations

INDEX = "library_entry_search_gin"
CATEGORIES = [
    ("法律法规", "国家和地方的法律、法规、规章、标准"),
    ("政策文件", "上级主管部门和本单位的政策、制度文件"),
    ("市场情报", "市场动态、竞争对手、客户需求"),
    ("政策情报", "行业政策动向、监管要求的变化"),
    ("模板范本", "常用表格、合同、报告模板"),
]


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite searches by plain matching (library.search)
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS %s ON library_entry USING gin (to_tsvector('simple'::regconfig, search_text))"
        % INDEX)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS %s" % INDEX)


def add_categories(apps, schema_editor):
    Category = apps.get_model("library", "Category")
    for order, (name, description) in enumerate(CATEGORIES, start=1):
        Category.objects.get_or_create(name=name, defaults={"description": description, "sort_order": order * 10})


class Migration(migrations.Migration):
    dependencies = [("library", "0001_initial")]

    operations = [
        migrations.RunPython(create_index, drop_index),
        migrations.RunPython(add_categories, migrations.RunPython.noop),
    ]
