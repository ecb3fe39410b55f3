"""The on-time page's day totals (OnTimeDay), filled from the steps and
receivers already there (infoflow.services.ontime_days.rebuild_ontime_days,
given this migration's models)."""
import django.db.models.deletion
from django.db import migrations, models

from infoflow.services.ontime_days import rebuild_ontime_days


def fill(apps, schema_editor):
    rebuild_ontime_days(day_model=apps.get_model("infoflow", "OnTimeDay"),
                        step_model=apps.get_model("infoflow", "ReviewStep"),
                        receiver_model=apps.get_model("infoflow", "Receiver"))


class Migration(migrations.Migration):

    dependencies = [
        ("infoflow", "0011_route_stage_kind"),
        ("officers", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="OnTimeDay",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(choices=[("review", "审核环节"), ("feedback", "反馈")], max_length=10,
                                          verbose_name="类型")),
                ("day", models.DateField(verbose_name="日期")),
                ("done", models.PositiveIntegerField(default=0, verbose_name="完成数")),
                ("done_on_time", models.PositiveIntegerField(default=0, verbose_name="按时完成数")),
                ("unit", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                           to="officers.orgunit", verbose_name="部门")),
            ],
            options={
                "verbose_name": "按时率日汇总",
                "verbose_name_plural": "按时率日汇总",
                "constraints": [models.UniqueConstraint(fields=("kind", "day", "unit"), name="ontime_day_per_unit")],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
