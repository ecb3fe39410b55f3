"""Demo of the information library (``manage.py seed_demo``, issue 19 §10):
two departments' information needs, then a few entries that match them —
a featured public law kept by 生产部, an internal notice of the market
regulator already expired, a restricted market-intelligence report of 市场部
and a public template of 办公室 — so 生产部's and 市场部's officers find the
notices of the matches in their notification centre. Built through the
services; idempotent (a second run creates nothing)."""
import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from officers.models import OrgUnit

from . import services
from .models import Category, Entry

LAW = "中华人民共和国安全生产法（2021年修正）"


def seed() -> int:
    """Create the demo needs and entries if missing; returns the number of entries created."""
    if Entry.objects.filter(title=LAW).exists():
        return 0
    users = {u.username: u for u in get_user_model().objects.filter(
        username__in=["secretary", "officer_market", "officer_prod", "head_prod"])}
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=["market", "prod", "office"])}
    if len(users) < 4 or not {"market", "prod"} <= set(units):
        return 0  # no demo organisation to build on
    # Migration 0002 adds these; a database flushed since (tests) may lack them.
    categories = {name: Category.objects.get_or_create(name=name, defaults={"sort_order": order})[0]
                  for order, name in enumerate(("法律法规", "政策文件", "市场情报", "政策情报", "模板范本"), start=1)}
    office = units.get("office") or units["market"]
    today = timezone.localdate()
    with transaction.atomic():
        services.save_need(actor=users["head_prod"], unit=units["prod"], title="安全生产法规和地方标准",
                           categories=[categories["法律法规"]], keywords="安全生产 标准")
        services.save_need(actor=users["officer_market"], unit=units["market"], title="竞品价格和市场监管动态",
                           keywords="竞品 价格 市场监督")
        rows = [
            (users["secretary"], units["prod"], {
                "title": LAW, "category": categories["法律法规"], "issuer": "全国人民代表大会常务委员会",
                "reference": "主席令第八十八号", "valid_from": dt.date(2021, 9, 1), "valid_until": None,
                "confidentiality": "public",
                "summary": "安全生产工作坚持人民至上、生命至上；生产经营单位的主要负责人是本单位安全生产第一责任人。",
                "body": ""}, True),
            (users["officer_market"], units["market"], {
                "title": "苏州市市场监督管理局关于企业年度报告公示的通知", "category": categories["政策文件"],
                "issuer": "苏州市市场监督管理局", "reference": "苏市监〔2025〕12号",
                "valid_from": dt.date(today.year - 1, 1, 1), "valid_until": dt.date(today.year - 1, 6, 30),
                "confidentiality": "internal", "summary": "企业应于每年1月1日至6月30日报送上一年度年度报告。",
                "body": ""}, False),
            (users["officer_market"], units["market"], {
                "title": "华东区域竞品价格月报", "category": categories["市场情报"],
                "issuer": "市场部", "reference": "", "valid_from": today.replace(day=1), "valid_until": None,
                "confidentiality": "restricted", "summary": "主要竞品本月出厂价格和促销政策的变化，仅限市场部。",
                "body": ""}, False),
            (users["secretary"], office, {
                "title": "客户回访征询表（模板）", "category": categories["模板范本"],
                "issuer": "办公室", "reference": "", "valid_from": None, "valid_until": None,
                "confidentiality": "public", "summary": "每季度客户回访使用的征询表，填写后一周内交市场部汇总。",
                "body": ""}, False),
        ]
        for actor, unit, fields, featured in rows:
            entry = services.create_entry(actor=actor, department=unit, fields=fields)
            if featured:
                services.set_featured(actor=users["secretary"], entry=entry, featured=True)
    return len(rows)


