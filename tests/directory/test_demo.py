import pytest

from directory import demo
from directory.models import GroupRoleMap, SyncReport


@pytest.mark.django_db
def test_demo_is_idempotent():
    first = demo.seed()
    second = demo.seed()

    assert (first, second) == (4, 0)
    assert GroupRoleMap.objects.count() == 3 and SyncReport.objects.count() == 1
