"""``manage.py seed_demo``: the demo organisation (README "Demo accounts").

Each app that has demo data provides ``<app>.demo.seed()``; this command calls
them in dependency order inside one transaction. Running it twice changes
nothing. It refuses to run with DEBUG off unless given ``--force``, so a
production database does not get demo accounts with a published password.
"""
import importlib

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

# Later apps build on the organisation: officers first.
DEMO_MODULES = ["officers.demo", "infoflow.demo", "infoflow.demo_signers", "archive.demo",
                "datacalls.demo",
                "officers.demo_meetings", "officers.demo_assessment", "officers.demo_work", "suggestions.demo",
                "followup.demo", "briefs.demo", "library.demo", "relations.demo"]
DEMO_MODULES += ["surveys.demo"]
# The review checklist's required points after every demo that approves (issue 19 §8).
DEMO_MODULES += ["infoflow.demo_loop"]
# The rules with read receipts and a pending 推荐表 (issue 19 §5, §9).
DEMO_MODULES += ["rules.demo", "officers.demo_recommendations"]
# The directory app: group → role mappings and a sync report for HR (issue 20).
DEMO_MODULES += ["directory.demo"]
# Incidents, then the report to leaders last: it counts every other app's records (issue 19).
DEMO_MODULES += ["incidents.demo", "reports.demo"]
DEMO_MODULES += ["dengbao.demo"]  # the access review (issue 18), last: it lists everyone's rights


def demo_modules():
    """The demo modules that exist, in order; a module missing from an app
    that has no demo data yet is skipped, any other import error is raised."""
    modules = []
    for name in DEMO_MODULES:
        try:
            modules.append(importlib.import_module(name))
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    return modules


class Command(BaseCommand):
    help = "创建演示组织（演示账户见 README）。重复运行不会改变任何数据。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="在 DJANGO_DEBUG 关闭时也运行（会创建使用公开演示密码的账户）。",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                _(
                    "DJANGO_DEBUG 未开启，seed_demo 拒绝运行：它会创建使用公开演示密码的账户。"
                    "请在开发数据库上运行；如果这确实是演示服务器，请加 --force。"
                )
            )
        total = 0
        with transaction.atomic():
            for module in demo_modules():
                created = module.seed() or 0
                total += created
                self.stdout.write("%s: %d created" % (module.__name__, created))
        self.stdout.write(self.style.SUCCESS("demo data: %d rows created" % total))
