"""The admin of data calls follows the portal's visibility."""
import pytest
from django.contrib.auth.models import Permission

from datacalls import services

pytestmark = pytest.mark.django_db


def test_staff_head_sees_only_own_units_answers_in_admin(client, occurrence, market_answer, officer_market, head_prod):
    services.submit_answer(answer=market_answer, actor=officer_market, raw={"opinion": "x"})
    head_prod.is_staff = True
    head_prod.is_superuser = False
    head_prod.save()
    head_prod.user_permissions.add(*Permission.objects.filter(content_type__app_label="datacalls"))
    client.force_login(head_prod)

    listing = client.get("/admin/datacalls/answer/").content.decode()
    change = client.get("/admin/datacalls/answer/%d/change/" % market_answer.pk)
    history = client.get("/admin/datacalls/answer/%d/history/" % market_answer.pk)

    assert "生产部" in listing and "市场部" not in listing
    assert change.status_code == 404
    assert history.status_code == 404


def test_auditor_sees_every_answer_in_admin(client, occurrence, auditor):
    auditor.is_staff = True
    auditor.is_superuser = True
    auditor.save()
    client.force_login(auditor)

    listing = client.get("/admin/datacalls/answer/").content.decode()

    assert "生产部" in listing and "市场部" in listing
