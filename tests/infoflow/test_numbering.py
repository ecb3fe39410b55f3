"""Numbers: prefix-year-sequence, given at submission, gapless, rolled back with the submission."""
import datetime as dt

import pytest
import time_machine
from django.db import transaction

from infoflow.models import Item, NumberSequence
from infoflow.services.chain import submit_item
from infoflow.services.numbering import next_number
from liaison.errors import InvalidInput

pytestmark = pytest.mark.django_db


def test_numbers_are_given_at_submission_per_unit_and_year(org, make_item, frozen):
    drafts = [make_item(subject=f"事项{n}") for n in range(3)]
    prod_item = make_item(actor=org["officer_prod"], unit=org["prod"], subject="生产部事项",
                          receivers=[{"kind": "unit", "unit": org["market"]}])
    assert all(d.number is None for d in drafts)

    numbers = [submit_item(item=d, actor=org["officer_market"]).number for d in drafts]

    assert numbers == ["NX-2026-001", "NX-2026-002", "NX-2026-003"]
    assert submit_item(item=prod_item, actor=org["officer_prod"]).number == "NB-2026-001"


def test_a_new_year_starts_again_at_one(org, make_item):
    with time_machine.travel(dt.datetime(2026, 12, 31, 15, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))):
        first = submit_item(item=make_item(), actor=org["officer_market"])
    with time_machine.travel(dt.datetime(2027, 1, 4, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))):
        second = submit_item(item=make_item(subject="新年事项"), actor=org["officer_market"])

    assert (first.number, second.number) == ("NX-2026-001", "NX-2027-001")


def test_a_refused_submission_burns_no_number(org, make_item, frozen):
    broken = make_item(receivers=[])
    with pytest.raises(InvalidInput):
        submit_item(item=broken, actor=org["officer_market"])

    assert submit_item(item=make_item(subject="正常"), actor=org["officer_market"]).number == "NX-2026-001"


def test_a_rolled_back_submission_burns_no_number(org, make_item, frozen):
    item = make_item()

    with pytest.raises(RuntimeError):
        with transaction.atomic():
            submit_item(item=item, actor=org["officer_market"])
            raise RuntimeError("the caller's transaction fails after the submission")

    assert Item.objects.get(pk=item.pk).number is None
    assert submit_item(item=item, actor=org["officer_market"]).number == "NX-2026-001"


def test_resubmission_keeps_the_number(org, make_item, frozen):
    from infoflow.services.chain import open_step, return_step

    item = submit_item(item=make_item(direction="external"), actor=org["officer_market"])
    return_step(step=open_step(item), actor=org["head_market"], opinion="请修改")

    again = submit_item(item=Item.objects.get(pk=item.pk), actor=org["officer_market"])

    assert again.number == item.number
    assert NumberSequence.objects.get(prefix="NX", year=2026).last == 1


@pytest.mark.django_db(transaction=True)
def test_next_number_needs_a_transaction():
    with pytest.raises(RuntimeError):
        next_number("NX", 2026)


def test_next_number_format(db):
    with transaction.atomic():
        numbers = [next_number("ND", 2024) for _ in range(2)]

    assert numbers == ["ND-2024-001", "ND-2024-002"]
