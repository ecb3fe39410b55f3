import django.db.models.deletion
from django.db import migrations, models

from infoflow import item_months


def count_and_keep(apps, schema_editor):
    """Install the triggers that keep the month totals (infoflow.item_months),
    then count every item: an item written meanwhile is counted by the
    triggers' upserts on rows the rebuild then replaces (run it on a quiet
    database, as any migration)."""
    item_months.install(schema_editor)
    item_months.rebuild(schema_editor.connection)


def drop_triggers(apps, schema_editor):
    item_months.uninstall(schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('infoflow', '0020_item_count_indexes'),
        ('officers', '0007_sweep_cursor_nulls_first'),
    ]

    operations = [
        migrations.CreateModel(
            name='ItemMonth',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField(blank=True, null=True, verbose_name='月份')),
                ('state', models.CharField(max_length=20, verbose_name='处理状态')),
                ('confidentiality', models.CharField(max_length=20, verbose_name='密级')),
                ('to_all_staff', models.BooleanField(default=False, verbose_name='全体员工')),
                ('n', models.IntegerField(default=0, verbose_name='信息数')),
                ('unit', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='officers.orgunit', verbose_name='部门')),
            ],
            options={
                'verbose_name': '信息月汇总',
                'verbose_name_plural': '信息月汇总',
                'constraints': [models.UniqueConstraint(condition=models.Q(('month__isnull', False)), fields=('unit', 'month', 'state', 'confidentiality', 'to_all_staff'), name='item_month_key'), models.UniqueConstraint(condition=models.Q(('month__isnull', True)), fields=('unit', 'state', 'confidentiality', 'to_all_staff'), name='item_month_unsubmitted_key')],
            },
        ),
        migrations.RunPython(count_and_keep, drop_triggers),
    ]
