"""Races on PostgreSQL: concurrent submissions get distinct gapless numbers;
two reviewers approving at once give one decision and one StepClosed."""
import threading

import pytest
from django.db import close_old_connections, connection
from django.utils import timezone

from infoflow.models import Item, StepAssignee
from infoflow.services.chain import approve_step, open_step, submit_item
from liaison.errors import StepClosed
from tests.factories import OfficerFactory

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
        thread.join(30)
    close_old_connections()
    return results


def test_concurrent_submissions_get_distinct_gapless_numbers(org, make_item):
    officers = [org["officer_market"]] + [
        OfficerFactory(unit=org["market"], is_primary=False, user__username=f"officer_m{n}").user for n in range(5)
    ]
    items = [make_item(actor=officer, subject=f"并发事项{n}") for n, officer in enumerate(officers)]

    results = run_together([
        (lambda item=item, officer=officer: submit_item(item=item, actor=officer).number)
        for item, officer in zip(items, officers)
    ])

    year = timezone.localtime().year
    assert sorted(results) == [f"NX-{year}-{n:03d}" for n in range(1, 7)], results


def test_two_concurrent_approvals_give_one_decision(org, make_item):
    item = make_item(kind="publication")
    other = OfficerFactory(unit=org["prod"], is_primary=False, user__username="sec2").user
    from tests.factories import RoleFactory

    RoleFactory(user=other, role="secretariat")
    item = submit_item(item=item, actor=org["officer_market"])
    step = open_step(item)

    results = run_together([
        lambda: approve_step(step=step, actor=org["secretary"], opinion="同意"),
        lambda: approve_step(step=step, actor=other, opinion="同意"),
    ])

    closed = [r for r in results if isinstance(r, StepClosed)]
    assert len(closed) == 1, results
    assert closed[0].message in ("该环节已由他人处理，请刷新后查看最新状态。", "该环节已由 周秘书 领取。",
                                 "该环节已由 %s 领取。" % (other.get_full_name() or other.username))
    assert StepAssignee.objects.filter(step=step, decision="approved").count() == 1
    assert Item.objects.get(pk=item.pk).current_stage == 1


def test_two_heads_of_an_all_step_both_count(org, make_item):
    item = make_item(kind="coordination", receivers=[{"kind": "unit", "unit": org["prod"]},
                                                      {"kind": "unit", "unit": org["finance"]}])
    item = submit_item(item=item, actor=org["officer_market"])
    approve_step(step=open_step(item), actor=org["head_market"], opinion="同意")
    step = open_step(Item.objects.get(pk=item.pk))

    results = run_together([
        lambda: approve_step(step=step, actor=org["head_prod"], opinion="同意"),
        lambda: approve_step(step=step, actor=org["finance"].head, opinion="同意"),
    ])

    assert not any(isinstance(r, Exception) for r in results), results
    assert Item.objects.get(pk=item.pk).state == Item.State.APPROVED
