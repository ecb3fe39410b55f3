"""library.demo: idempotent, and its needs hear of its entries."""
import pytest

from library import demo
from library.models import Entry, Need
from liaison.models import Notification

pytestmark = pytest.mark.django_db


def test_demo_builds_once_and_tells_the_needs(secretary, officer_market, officer_prod, head_prod, market, prod):
    assert demo.seed() == 4
    assert demo.seed() == 0

    assert Entry.objects.count() == 4 and Need.objects.count() == 2
    assert Entry.objects.get(title=demo.LAW).featured
    assert Notification.objects.filter(recipient=officer_prod, key__startswith="library:need:").count() == 1


def test_demo_without_organisation_does_nothing(db):
    assert demo.seed() == 0
