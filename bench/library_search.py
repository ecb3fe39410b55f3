"""How the library's full-text search scales (issue 19 §1: "measure and choose").

Fills library_entry with N synthetic entries (Chinese titles and summaries
drawn from a small vocabulary) inside a transaction that is rolled back, then
times, with EXPLAIN ANALYZE on PostgreSQL, the three ways of finding 安全生产:

* ``bigram``: library.search.search (to_tsvector('simple', search_text) @@ the
  query's pairs, served by the GIN index of migration 0002), titles holding the query first;
* ``icontains``: title/summary/body ILIKE '%安全生产%' (what a plain
  SQLite-style search does);
* ``both``: the bigram query OR'ed with icontains (the fallback the brief
  mentioned), which gives up the index.

Usage: DATABASE_URL=postgres://… .venv/bin/python bench/library_search.py [N]
(the database must be migrated; nothing is left in it).
"""
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Q  # noqa: E402

from library.models import Category, Entry  # noqa: E402
from library.search import index_text, search  # noqa: E402
from library.selectors import list_rows  # noqa: E402
from officers.models import OrgUnit  # noqa: E402

WORDS = ["安全生产", "市场监督", "年度报告", "质量管理", "环境保护", "职业健康", "竞品价格", "客户回访", "合同模板",
         "招标采购", "财务报销", "信息安全", "等级保护", "消防检查", "设备维护", "劳动合同", "税务申报", "数据出境"]


class Rollback(Exception):
    pass


def timed(label, qs, runs=5):
    sql, params = qs.query.sql_with_params()
    best = None
    for _ in range(runs):
        start = time.perf_counter()
        rows = len(list(qs.all()))  # a fresh query each run (no result cache)
        elapsed = (time.perf_counter() - start) * 1000
        best = elapsed if best is None else min(best, elapsed)
    plan = ""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + sql, params)
            plan = cursor.fetchone()[0]
    print("%-10s %6d rows  best of %d: %8.2f ms  %s" % (label, rows, runs, best, plan[:70]))


def main(n):
    rng = random.Random(19)
    try:
        with transaction.atomic():
            # Whatever the database holds, or throwaway rows (rolled back with the rest).
            user = get_user_model().objects.order_by("pk").first() or get_user_model().objects.create(
                username="bench-library")
            unit = OrgUnit.objects.order_by("pk").first() or OrgUnit.objects.create(
                code="bench-lib", name="基准部门", number_prefix="BL")
            category = Category.objects.order_by("pk").first() or Category.objects.create(name="基准类别")
            rows = []
            for i in range(n):
                title = "关于%s和%s的通知（第%d号）" % (rng.choice(WORDS), rng.choice(WORDS), i)
                summary = "，".join(rng.choice(WORDS) for _ in range(12))
                rows.append(Entry(title=title, summary=summary, body="", category=category, department=unit,
                                  created_by=user, confidentiality="internal",
                                  search_text=index_text(title, summary)))
            Entry.objects.bulk_create(rows, batch_size=2000)
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE library_entry")
            base = Entry.objects.all()
            # What the list page runs: the first page, best rank first (every match is ranked).
            timed("bigram", list_rows(search(base, "安全生产"))[:20])
            timed("sqlite", list_rows(search(base, "安全生产", vendor="sqlite"))[:20])
            timed("icontains", list_rows(base.filter(Q(title__icontains="安全生产") | Q(summary__icontains="安全生产")
                                                     | Q(body__icontains="安全生产")))[:20])
            both = base.filter(Q(pk__in=search(base, "安全生产").values("pk")) | Q(title__icontains="安全生产"))
            timed("both", list_rows(both)[:20])
            # A rarer pair of words: the index narrows to few rows, the scans still read every row.
            timed("rare", list_rows(search(base, "数据出境 税务申报 消防检查"))[:20])
            timed("rare-like", list_rows(search(base, "数据出境 税务申报 消防检查", vendor="sqlite"))[:20])
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20000)
