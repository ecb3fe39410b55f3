"""Races on PostgreSQL (two threads released by a Barrier): two handlers
deciding the same case at once, two approvers deciding one reward, two
submissions taking numbers."""
import threading

import pytest
from django.db import close_old_connections, connection

from liaison.errors import SuggestionStateConflict
from suggestions import services
from suggestions.models import Box, Case, Handler, Reward
from tests.factories import UserFactory

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


@pytest.fixture
def second_handler(handlers):
    user = UserFactory(username="hr_two", first_name="黄人事")
    Handler.objects.create(box=Box.SUGGESTION, user=user, role=Handler.Role.HANDLER)
    return user


def test_two_handlers_deciding_at_once_record_one_finding(signed_case, secretary, second_handler):
    results = run_together([
        lambda: services.record_finding(case=signed_case, actor=secretary, finding="founded", answer="属实"),
        lambda: services.record_finding(case=signed_case, actor=second_handler, finding="unfounded", answer="不属实"),
    ])

    assert sum(isinstance(r, Case) for r in results) == 1
    assert sum(isinstance(r, SuggestionStateConflict) for r in results) == 1
    assert Case.objects.get(pk=signed_case.pk).history.filter(history_change_reason="answer").count() == 1


def test_two_approvers_decide_a_reward_once(signed_case, secretary, gm, second_handler):
    services.record_finding(case=signed_case, actor=secretary, finding="founded", answer="属实")
    reward = services.propose_reward(case=signed_case, actor=secretary, amount="200", reason="属实")

    results = run_together([
        lambda: services.decide_reward(reward=reward, actor=gm, approve=True),
        lambda: services.decide_reward(reward=reward, actor=second_handler, approve=False, note="不同意"),
    ])

    assert sum(isinstance(r, Reward) for r in results) == 1
    assert sum(isinstance(r, SuggestionStateConflict) for r in results) == 1
    assert Reward.objects.get(pk=reward.pk).history.exclude(history_change_reason="propose").count() == 1


def test_two_submissions_at_once_take_different_numbers(handlers, writer, category):
    from tests.suggestions.conftest import submit

    results = run_together([lambda: submit(writer, category, signed=False)] * 2)

    numbers = {r[0].number for r in results}
    assert len(numbers) == 2
