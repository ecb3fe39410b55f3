import pytest
from django.core.management import call_command

from archive.models import ArchivedRecord
from archive.verify import verify
from infoflow.models import Item


@pytest.mark.django_db
def test_seed_demo_archives_the_finished_items_and_verifies(settings):
    settings.DEBUG = True

    call_command("seed_demo")
    call_command("seed_demo")

    assert ArchivedRecord.objects.exists()
    assert not Item.objects.filter(state=Item.State.COMPLETED).exists()
    assert verify().ok
