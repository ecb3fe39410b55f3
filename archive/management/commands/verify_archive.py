"""``manage.py verify_archive [--anchor FILE]``: check every archived record,
its files and the chain, and the audit log; exit 1 naming what fails."""
import json

from django.core.management.base import BaseCommand, CommandError

from archive.services.checks import run_verification


class Command(BaseCommand):
    help = "校验全部档案及审计日志的封存校验值；有问题时列出并以状态 1 退出。"

    def add_arguments(self, parser):
        parser.add_argument("--anchor", help="anchor_archive 写出的锚点文件")
        parser.add_argument("--no-files", action="store_true", help="不重新计算附件文件的 SHA-256")

    def handle(self, *args, **options):
        anchor = None
        if options["anchor"]:
            try:
                with open(options["anchor"], encoding="utf-8") as fh:
                    anchor = json.load(fh)
            except (OSError, ValueError) as exc:
                raise CommandError("cannot read anchor %s: %s" % (options["anchor"], exc))
        result = run_verification(anchor=anchor, check_files=not options["no_files"], notify=False)
        for label, message in result.failures:
            self.stdout.write("FAIL %s: %s" % (label, message))
        summary = "records: %d, links: %d, audit rows: %d" % (result.records, result.links, result.audit_rows)
        if result.audit_unsealed:
            summary += " (%d unsealed before sealing began)" % result.audit_unsealed
        if result.ok:
            self.stdout.write(self.style.SUCCESS("OK " + summary))
            return
        self.stdout.write(self.style.ERROR("FAILED %s; failing: %s" % (summary, ", ".join(result.failing_labels))))
        raise SystemExit(1)
