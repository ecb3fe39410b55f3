"""The item page's reads through SQL compiled once per process
(infoflow.compiled, infoflow.page_probes; issue 12): the same rows, related
objects and probe answers as the querysets they were compiled from, for
every item and user."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from infoflow import compiled, extensions, loop_view, printing, selectors
from infoflow.models import Item
from infoflow.page_probes import page_probes
from tests.infoflow.portal import submitted, transmitted

pytestmark = pytest.mark.django_db

BUILDERS = [selectors._item_history, selectors._step_history, selectors._assignee_history,
            selectors._receiver_history, selectors._steps, selectors._step_assignees, selectors._step_ticks,
            selectors._receivers, selectors._attachments, selectors._transmissions, printing._opinion_assignees]


def _fields(obj):
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


@pytest.mark.parametrize("build", BUILDERS, ids=lambda b: b.__name__)
def test_compiled_rows_are_the_querysets_rows_for_each_item(org, make_item, build):
    items = [transmitted(make_item, org), submitted(make_item, org), make_item()]
    for item in items * 2:  # compiled on the first call, reused with the other ids
        expected = list(build(item.pk))
        got = compiled.rows(build, item.pk)
        assert [_fields(o) for o in got] == [_fields(o) for o in expected]
        for name in build(item.pk).query.select_related or {}:
            assert [_fields(getattr(o, name)) if getattr(o, name) else None for o in got] == \
                   [_fields(getattr(o, name)) if getattr(o, name) else None for o in expected]


def test_the_steps_come_with_their_assignees_and_ticks_as_a_prefetch(org, make_item):
    item = transmitted(make_item, org)
    expected = list(selectors.item_steps(item))
    steps = selectors.item_steps_read(item)
    assert [s.pk for s in steps] == [s.pk for s in expected]
    with CaptureQueriesContext(connection) as queries:
        got = [[(a.pk, a.user.username, a.step is s, [t.pk for t in a.ticks.all()]) for a in s.assignees.all()]
               for s in steps]
    assert len(queries) == 0
    assert got == [[(a.pk, a.user.username, True, [t.pk for t in a.ticks.all()]) for a in s.assignees.all()]
                   for s in expected]
    assert all(len(s.assignees.all()) == s.assignees.count() for s in steps)


def test_the_probes_answer_as_the_orm_probes_for_each_user(org, make_item):
    from followup.models import ReadReceipt

    item = transmitted(make_item, org)
    other = transmitted(make_item, org)
    ReadReceipt.objects.create(item=item, user=org["officer_market"])  # a probe that tells users apart
    answers = set()
    for user in (org["officer_market"], org["head_market"], org["leader"]):
        for it in (item, other):
            orm = {**loop_view.presence_probes(), **extensions.item_probes(user)}
            a = Item.objects.filter(pk=it.pk).annotate(**orm).values(*orm).get()
            b = Item.objects.filter(pk=it.pk).annotate(**page_probes(user)).values(*orm).get()
            assert a == b
            answers.add(a["followup_has_receipt"])
    assert answers == {True, False}


def test_rows_refuses_a_builder_it_would_compile_every_call():
    with pytest.raises(ValueError):
        compiled.rows(lambda item_id: Item.objects.filter(pk=item_id), 1)
