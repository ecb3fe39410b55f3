"""Demo of the appointment workflow (issue 19 §9–10): the market department's
head recommends ``employee`` (陈晨) as a deputy officer with the signed
推荐表, and the secretariat has scheduled an interview — pending, so the
secretariat's home page shows it to decide. Idempotent."""
import datetime as dt

import time_machine
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from . import recommendations
from .models import OrgUnit, Recommendation

# A one-page PDF standing in for the scanned, signed form.
FORM_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>"
            b"endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def seed() -> int:
    users = {u.username: u for u in get_user_model().objects.filter(
        username__in=["head_market", "employee", "secretary"])}
    market = OrgUnit.objects.filter(code="market").first()
    if len(users) < 3 or market is None or Recommendation.objects.filter(candidate=users["employee"]).exists():
        return 0
    now = timezone.now()
    with transaction.atomic():
        with time_machine.travel(now - dt.timedelta(days=3), tick=False):
            rec = recommendations.recommend_officer(
                actor=users["head_market"], unit=market, candidate=users["employee"], is_primary=False,
                phone="13962100009", email="employee@example.com",
                reasons="陈晨熟悉华东片区客户情况，文字表达能力强，推荐为市场部副联络员，协助张三做好客户回访信息的收集和报送。",
                qualifications="入职三年，销售代表；沟通协调能力强；熟悉公司信息报送流程；无违纪记录。",
                form_file=ContentFile(FORM_PDF, name="市场部联络员推荐表.pdf"))
        with time_machine.travel(now - dt.timedelta(days=2), tick=False):
            recommendations.schedule_interview(actor=users["secretary"], recommendation=rec,
                                               at=now + dt.timedelta(days=1), place="办公楼三楼小会议室",
                                               note="请携带身份证和近期工作材料。")
    return 1
