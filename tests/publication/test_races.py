"""Races on PostgreSQL: two publishers releasing one item on one channel at
once give one release record (the item row lock; the unique constraint
behind it), and two first releases on different channels one Release."""
import threading

import pytest
from django.db import close_old_connections, connection

from liaison.errors import StateConflict
from publication.models import Release, ReleaseRecord
from publication.services import release

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(functions):
    barrier = threading.Barrier(len(functions))
    results = [None] * len(functions)

    def worker(index, fn):
        try:
            barrier.wait()
            results[index] = fn()
        except Exception as exc:  # collected for the assertions
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, fn)) for i, fn in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    close_old_connections()
    return results


def test_two_publishers_on_one_channel_make_one_record(org, publish, wechat):
    item = publish()
    wechat.manager = org["head_market"]
    wechat.save()

    results = run_together([
        lambda: release.record_release(actor=org["secretary"], item=item, channel=wechat, link="https://a.example/1"),
        lambda: release.record_release(actor=org["head_market"], item=item, channel=wechat, link="https://a.example/2"),
    ])

    assert sum(isinstance(r, ReleaseRecord) for r in results) == 1
    assert sum(isinstance(r, StateConflict) for r in results) == 1
    assert ReleaseRecord.objects.filter(channel=wechat).count() == 1


def test_two_first_releases_on_two_channels_share_one_release(org, publish, wechat, email_channel):
    item = publish()

    results = run_together([
        lambda: release.record_release(actor=org["secretary"], item=item, channel=wechat),
        lambda: release.record_release(actor=org["secretary"], item=item, channel=email_channel),
    ])

    assert all(isinstance(r, ReleaseRecord) for r in results), results
    assert Release.objects.filter(item=item).count() == 1
    assert ReleaseRecord.objects.filter(release__item=item).count() == 2
