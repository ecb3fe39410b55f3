"""A restricted (限定范围) item is circulated only by its handlers and the
secretariat, and only to named people, never to whole departments (trial of
issue 15: any reviewer could send it to a department)."""
import pytest

from followup.models import CirculationReader
from followup.permissions import can_circulate
from followup.services import circulate_item
from infoflow.models import Confidentiality, Item
from infoflow.visibility import items_visible_to
from liaison.errors import InvalidInput, NotAllowed

pytestmark = pytest.mark.django_db


@pytest.fixture
def restricted(transmitted):
    Item.objects.filter(pk=transmitted.pk).update(confidentiality=Confidentiality.RESTRICTED)
    transmitted.refresh_from_db()
    return transmitted


def test_a_restricted_item_is_not_circulated_to_a_whole_department(restricted, officer_market, finance, outsider):
    with pytest.raises(InvalidInput):
        circulate_item(item=restricted, actor=officer_market, unit_ids=[finance.pk])

    assert not CirculationReader.objects.exists()
    assert not items_visible_to(outsider).filter(pk=restricted.pk).exists()


def test_its_handler_and_the_secretariat_circulate_it_to_named_people(restricted, officer_market, secretary,
                                                                      outsider, employee):
    circulate_item(item=restricted, actor=officer_market, user_ids=[outsider.pk])
    circulate_item(item=restricted, actor=secretary, user_ids=[employee.pk])

    assert set(CirculationReader.objects.values_list("user__username", flat=True)) == {"outsider", "employee"}


def test_a_reader_of_a_restricted_item_cannot_pass_it_on(restricted, officer_market, outsider, employee):
    circulate_item(item=restricted, actor=officer_market, user_ids=[outsider.pk])

    assert not can_circulate(outsider, restricted)
    with pytest.raises(NotAllowed):
        circulate_item(item=restricted, actor=outsider, user_ids=[employee.pk])
