"""Races on PostgreSQL: two issues published at once get different numbers;
one issue published twice at once is published once."""
import threading

import pytest
from django.db import close_old_connections, connection

from briefs.errors import BriefStateConflict
from briefs.models import BulletinIssue, BulletinRecord
from briefs.services import issues as services
from tests.briefs.conftest import make_item

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(functions):
    barrier = threading.Barrier(len(functions))
    results = [None] * len(functions)

    def worker(index, fn):
        try:
            barrier.wait()
            results[index] = fn()
        except Exception as exc:  # collected for the assertions
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, fn)) for i, fn in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    close_old_connections()
    return results


def test_two_issues_published_at_once_get_numbers_one_and_two(secretary, market, officer_market):
    issues = []
    for month in ("2026-03", "2026-04"):
        issue = services.create_issue(actor=secretary, period=month)
        services.add_item(issue=issue, item=make_item(market, officer_market, "信息%s" % month), actor=secretary)
        issues.append(issue)

    results = run_together([lambda i=i: services.publish_issue(issue=i, actor=secretary) for i in issues])

    assert all(isinstance(r, BulletinIssue) for r in results), results
    assert sorted(BulletinIssue.objects.values_list("number", flat=True)) == [1, 2]
    assert BulletinRecord.objects.count() == 2


def test_one_issue_published_twice_at_once_is_published_once(secretary, market, officer_market):
    issue = services.create_issue(actor=secretary, period="2026-03")
    services.add_item(issue=issue, item=make_item(market, officer_market, "信息"), actor=secretary)

    results = run_together([lambda: services.publish_issue(issue=issue, actor=secretary)] * 2)

    assert sum(isinstance(r, BulletinIssue) for r in results) == 1
    assert sum(isinstance(r, BriefStateConflict) for r in results) == 1
    assert BulletinRecord.objects.count() == 1
    issue.refresh_from_db()
    assert issue.number == 1
