"""``manage.py assessment YEAR``: the year's officer ranking, one officer a
line: ``rank<TAB>username<TAB>unit<TAB>score`` (score with one decimal),
highest first (README, contract). The unit is the unit's name. It prints the
stored ranking (published, or as last computed while the period is open)."""
from decimal import ROUND_HALF_UP, Decimal

from django.core.management.base import BaseCommand, CommandError

from officers.assessment import ranking
from officers.assessment_models import AssessmentPeriod


class Command(BaseCommand):
    help = "打印年度联络员考评排名：名次<TAB>账号<TAB>单位<TAB>总分（一位小数），从高到低。"

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)

    def handle(self, *args, year, **options):
        period = AssessmentPeriod.objects.filter(year=year).first()
        if period is None:
            raise CommandError("%s 年度没有考评。" % year)
        for result in ranking(period):
            score = Decimal(result.total).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
            self.stdout.write("%s\t%s\t%s\t%s" % (result.rank or "", result.user.username, result.unit.name, score))
