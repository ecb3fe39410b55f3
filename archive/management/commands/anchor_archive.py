"""``manage.py anchor_archive -o FILE``: the chain's head, count and time."""
import json

from django.core.management.base import BaseCommand

from archive.verify import make_anchor


class Command(BaseCommand):
    help = "把档案链的链头、记录数和时间写入文件，交审计人员保存。"

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", required=True)

    def handle(self, *args, **options):
        anchor = make_anchor()
        with open(options["output"], "w", encoding="utf-8") as fh:
            json.dump(anchor, fh, ensure_ascii=False, indent=2)
            fh.write("\n")
        self.stdout.write("anchor: position %s, records %s, head %s -> %s" % (
            anchor["archive"]["position"], anchor["archive"]["records"], anchor["archive"]["head"][:16],
            options["output"]))
