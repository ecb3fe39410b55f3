"""Two secretaries confirm (or one confirms while another rejects) the same
recommendation at once: one wins, the other is told, the roster changes once
(PostgreSQL only)."""
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from officers import recommendations as rec
from officers.models import Officer, Recommendation
from officers.work_errors import WorkStateConflict
from tests.factories import OrgUnitFactory, RoleFactory, UserFactory


def _race(*calls):
    barrier = threading.Barrier(len(calls))
    outcomes = []

    def run(call):
        try:
            barrier.wait()
            call()
            outcomes.append("ok")
        except WorkStateConflict:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


@pytest.fixture
def pending(db):
    head = UserFactory(username="race_head")
    unit = OrgUnitFactory(code="race", name="竞态部", head=head)
    candidate = UserFactory(username="race_candidate")
    recommendation = rec.recommend_officer(
        actor=head, unit=unit, candidate=candidate, phone="139", reasons="理由", qualifications="条件",
        form_file=SimpleUploadedFile("推荐表.pdf", b"%PDF-1.4\n%%EOF\n"))
    secretaries = [UserFactory(username="race_sec%d" % n) for n in range(2)]
    for user in secretaries:
        RoleFactory(user=user, role="secretariat")
    return recommendation, secretaries


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_double_confirm_appoints_once(pending):
    recommendation, (one, two) = pending

    outcomes = _race(lambda: rec.confirm_recommendation(actor=one, recommendation=recommendation),
                     lambda: rec.confirm_recommendation(actor=two, recommendation=recommendation))

    assert outcomes == ["ok", "refused"]
    assert Officer.objects.filter(user=recommendation.candidate, status="active").count() == 1
    assert recommendation.history.filter(history_change_reason="confirm").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_confirm_against_reject_one_decision_stands(pending):
    recommendation, (one, two) = pending

    outcomes = _race(lambda: rec.confirm_recommendation(actor=one, recommendation=recommendation),
                     lambda: rec.reject_recommendation(actor=two, recommendation=recommendation, reason="不合适"))

    assert outcomes == ["ok", "refused"]
    state = Recommendation.objects.get(pk=recommendation.pk).state
    appointed = Officer.objects.filter(user=recommendation.candidate).exists()
    assert (state, appointed) in (("confirmed", True), ("rejected", False))
