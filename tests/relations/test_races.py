"""Two people completing the same thing at once (PostgreSQL row locks): it is
done once, the next due date opens once."""
import threading

import pytest
from django.db import connection

from relations.errors import AlreadyDone
from relations.models import Occurrence
from relations.services.obligations import complete_occurrence
from relations.services.visits import complete_action
from tests.relations.test_obligations import proof

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(work, actors):
    barrier = threading.Barrier(len(actors))
    outcomes = []

    def run(actor):
        try:
            barrier.wait()
            work(actor)
            outcomes.append("ok")
        except AlreadyDone:
            outcomes.append("done")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(a,)) for a in actors]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(outcomes)


def test_two_officers_completing_a_due_date_open_the_next_one_once(occurrence, officer_market, head_market):
    outcomes = race(lambda actor: complete_occurrence(actor=actor, occurrence=occurrence, proof=proof(),
                                                      note="已办结"), [officer_market, head_market])

    assert outcomes == ["done", "ok"]
    assert Occurrence.objects.filter(obligation=occurrence.obligation).count() == 2
    assert Occurrence.objects.get(pk=occurrence.pk).history.filter(history_change_reason="done").count() == 1


def test_an_action_completed_twice_at_once_is_done_once(action, officer_market, head_market):
    outcomes = race(lambda actor: complete_action(actor=actor, action=action, result="已答复"),
                    [officer_market, head_market])

    assert outcomes == ["done", "ok"]
    assert action.history.filter(history_change_reason="done").count() == 1
