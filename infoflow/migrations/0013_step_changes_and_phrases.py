# 加签/减签/转办 records, 常用语, the named decider and the transferred decision (issue 15).

import django.db.models.deletion
import django.utils.timezone
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('infoflow', '0012_ontime_days'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='historicalreviewstep',
            name='decider',
            field=models.CharField(choices=[('secretariat_pool', '秘书处初审（先领先办）'), ('unit_head', '发起部门负责人'), ('supervising_leader', '分管领导'), ('general_manager', '总经理'), ('legal', '法务审核'), ('association_secretariat', '协会秘书处'), ('receiver_heads', '各接收部门负责人'), ('secretariat_lead', '秘书处负责人'), ('named', '加签人')], max_length=30, verbose_name='审核人类型'),
        ),
        migrations.AlterField(
            model_name='historicalstepassignee',
            name='decision',
            field=models.CharField(choices=[('pending', '待审核'), ('approved', '同意'), ('returned', '退回'), ('not_needed', '无需审核'), ('transferred', '已转办')], db_index=True, default='pending', max_length=20, verbose_name='审核结果'),
        ),
        migrations.AlterField(
            model_name='reviewstep',
            name='decider',
            field=models.CharField(choices=[('secretariat_pool', '秘书处初审（先领先办）'), ('unit_head', '发起部门负责人'), ('supervising_leader', '分管领导'), ('general_manager', '总经理'), ('legal', '法务审核'), ('association_secretariat', '协会秘书处'), ('receiver_heads', '各接收部门负责人'), ('secretariat_lead', '秘书处负责人'), ('named', '加签人')], max_length=30, verbose_name='审核人类型'),
        ),
        migrations.AlterField(
            model_name='stepassignee',
            name='decision',
            field=models.CharField(choices=[('pending', '待审核'), ('approved', '同意'), ('returned', '退回'), ('not_needed', '无需审核'), ('transferred', '已转办')], db_index=True, default='pending', max_length=20, verbose_name='审核结果'),
        ),
        migrations.CreateModel(
            name='StepChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('add_before', '前加签'), ('add_after', '后加签'), ('add_parallel', '并行加签'), ('remove', '减签'), ('transfer', '转办'), ('return_to', '退回至指定环节')], max_length=20, verbose_name='操作')),
                ('stage_name', models.CharField(blank=True, max_length=50, verbose_name='相关环节')),
                ('reason', models.TextField(verbose_name='理由')),
                ('at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='时间')),
                ('actor', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='操作人')),
                ('item', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='step_changes', to='infoflow.item', verbose_name='信息')),
                ('person', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='加签人/接办人')),
                ('step', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='changes', to='infoflow.reviewstep', verbose_name='操作时的环节')),
                ('undoes', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='undone_by', to='infoflow.stepchange', verbose_name='撤销的加签')),
            ],
            options={
                'verbose_name': '加签与转办记录',
                'verbose_name_plural': '加签与转办记录',
                'ordering': ['item', 'at', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='HistoricalStepChange',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('kind', models.CharField(choices=[('add_before', '前加签'), ('add_after', '后加签'), ('add_parallel', '并行加签'), ('remove', '减签'), ('transfer', '转办'), ('return_to', '退回至指定环节')], max_length=20, verbose_name='操作')),
                ('stage_name', models.CharField(blank=True, max_length=50, verbose_name='相关环节')),
                ('reason', models.TextField(verbose_name='理由')),
                ('at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='时间')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('actor', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='操作人')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('item', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='infoflow.item', verbose_name='信息')),
                ('person', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='加签人/接办人')),
                ('step', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='infoflow.reviewstep', verbose_name='操作时的环节')),
                ('undoes', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='infoflow.stepchange', verbose_name='撤销的加签')),
            ],
            options={
                'verbose_name': 'historical 加签与转办记录',
                'verbose_name_plural': 'historical 加签与转办记录',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='Phrase',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('text', models.CharField(max_length=200, verbose_name='常用语')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='创建时间')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='phrases', to=settings.AUTH_USER_MODEL, verbose_name='用户')),
            ],
            options={
                'verbose_name': '常用语',
                'verbose_name_plural': '常用语',
                'ordering': ['user', 'created_at', 'pk'],
                'constraints': [models.UniqueConstraint(fields=('user', 'text'), name='unique_phrase_per_user')],
            },
        ),
        migrations.AddIndex(
            model_name='stepchange',
            index=models.Index(fields=['item', 'at'], name='infoflow_st_item_id_dc76ef_idx'),
        ),
    ]
