"""收文: the sending unit is chosen from the external units' list, not typed."""
import pytest
from django.urls import reverse

from infoflow.models import Item
from tests.factories import ExternalUnitFactory

pytestmark = pytest.mark.django_db


def _data(market, **extra):
    return {"source_reference": "市监〔2026〕12号", "received_at": "2026-03-10T09:00",
            "subject": "关于开展广告合规自查的通知", "summary": "请于月底前完成自查。", "urgency": "normal",
            "confidentiality": "internal", "needs_answer": "on", "expected_feedback_at": "2026-03-20T17:00",
            "units": [market.pk], **extra}


def test_the_chosen_external_unit_is_the_source(client, frozen, secretary, market):
    regulator = ExternalUnitFactory(name="市场监督管理局", kind="regulator")
    secretary.profile.unit = market  # the registering unit
    secretary.profile.save()
    client.force_login(secretary)

    response = client.post(reverse("infoflow:incoming-create"), _data(market, source_unit=regulator.pk))

    assert response.status_code == 302
    assert Item.objects.get().source_name == "市场监督管理局"


@pytest.mark.parametrize("source", [{"source_name": "随手输入的单位"}, {"source_unit": "999999"}])
def test_a_typed_or_unknown_source_is_refused(client, frozen, secretary, market, source):
    ExternalUnitFactory(name="市场监督管理局", kind="regulator")
    client.force_login(secretary)

    response = client.post(reverse("infoflow:incoming-create"), _data(market, **source))

    assert response.status_code == 200
    assert response.context["form"].errors["source_unit"]
    assert not Item.objects.exists()


def test_an_inactive_external_unit_is_not_offered(client, secretary):
    ExternalUnitFactory(name="已撤销的协会", kind="association", is_active=False)
    client.force_login(secretary)

    html = client.get(reverse("infoflow:incoming-create")).content.decode()

    assert "已撤销的协会" not in html
