"""Default retention table (domain "Archive") and, on PostgreSQL, the
full-text index over the records' search text."""
from django.db import migrations

DEFAULTS = [
    ("normal", "D1", "一般信息保管 1 年"),
    ("important", "D5", "合同、项目协议、监管来函等重要信息保管 3–5 年"),
    ("restricted", "D10", "限定范围信息按单位规定保管，默认 10 年"),
]


def defaults(apps, schema_editor):
    RetentionRule = apps.get_model("archive", "RetentionRule")
    for importance, retention, note in DEFAULTS:
        RetentionRule.objects.get_or_create(
            category=None, importance=importance, defaults={"retention": retention, "note": note}
        )
    apps.get_model("archive", "ArchiveCounter").objects.get_or_create(key="chain")


def search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS archive_record_fts ON archive_archivedrecord "
            "USING gin (to_tsvector('simple'::regconfig, COALESCE(search_text, '')))"
        )


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS archive_record_fts")


class Migration(migrations.Migration):
    dependencies = [("archive", "0001_initial")]

    operations = [
        migrations.RunPython(defaults, migrations.RunPython.noop),
        migrations.RunPython(search_index, drop_search_index),
    ]
