"""The admin of relations: the secretariat keeps obligations (creating one
opens its first due date), lists start from the selectors."""
import datetime as dt

import pytest
from django.urls import reverse

from relations.models import Obligation

pytestmark = pytest.mark.django_db

INLINE = {"occurrences-TOTAL_FORMS": "0", "occurrences-INITIAL_FORMS": "0", "occurrences-MIN_NUM_FORMS": "0",
          "occurrences-MAX_NUM_FORMS": "1000"}


def form(regulator, **extra):
    data = {"body": regulator.pk, "title": "企业年度报告公示", "kind": "annual_report", "description": "",
            "recurrence": "yearly", "first_due_on": "2026-06-30", "remind_days": "5", "is_active": "on", **INLINE}
    data.update(extra)
    return data


def test_the_secretariat_adds_an_obligation_and_its_first_due_date_opens(client, secretary, regulator, market):
    client.force_login(secretary)
    response = client.post(reverse("admin:relations_obligation_add"), form(regulator, owner_unit=market.pk))

    assert response.status_code == 302
    obligation = Obligation.objects.get()
    assert [o.due_on for o in obligation.occurrences.all()] == [dt.date(2026, 6, 30)]
    assert obligation.created_by == secretary and obligation.history.get().history_user == secretary


def test_an_obligation_without_an_owner_is_refused_in_words(client, secretary, regulator):
    client.force_login(secretary)
    response = client.post(reverse("admin:relations_obligation_add"), form(regulator))

    assert response.status_code == 200 and "请指定责任部门或责任人" in response.content.decode()
    assert not Obligation.objects.exists()


def test_supervision_reads_but_does_not_add(client, auditor, visit, obligation):
    auditor.is_staff = True  # supervision has the console (officers.backends.ADMIN_ROLES)
    auditor.save()
    client.force_login(auditor)
    assert client.get(reverse("admin:relations_visit_changelist")).status_code == 200
    assert client.get(reverse("admin:relations_obligation_change", args=[obligation.pk])).status_code == 200
    assert client.post(reverse("admin:relations_obligation_add"), {}).status_code == 403


def test_an_officer_has_no_admin(client, officer_market, obligation):
    client.force_login(officer_market)
    response = client.get(reverse("admin:relations_obligation_changelist"))
    assert response.status_code == 302
