"""The list pages' rows through SQL compiled once per kind of user
(infoflow.list_pages, infoflow.stand_ins, compiled.page; issue 12): the
rows, counts and pages of the selectors' own querysets, for every persona."""
import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from infoflow import compiled, list_pages, selectors
from infoflow.stand_ins import stand_in_user, user_shape
from infoflow.views.common import paginate, paginate_counted
from officers.roles import roles_of
from tests.infoflow.portal import submitted, transmitted

pytestmark = pytest.mark.django_db

PERSONAS = ("officer_market", "officer_prod", "head_market", "head_prod", "leader", "secretary", "gm", "legal",
            "auditor", "employee", "outsider")


@pytest.fixture
def lists(org, make_item):
    """Items in every list: drafts, in review (one restricted), transmitted to prod."""
    make_item()
    submitted(make_item, org)
    submitted(make_item, org, confidentiality="restricted")
    for _ in range(3):
        transmitted(make_item, org)
    return org


def request_for(user, **query):
    request = RequestFactory().get("/", query)
    request.user = user
    return request


def same_page(got, expected, key):
    assert [key(r) for r in got] == [key(r) for r in expected]
    assert (got.number, got.paginator.count, got.paginator.num_pages) == (
        expected.number, expected.paginator.count, expected.paginator.num_pages)


def fields(obj):
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields
            if f.attname not in obj.get_deferred_fields()}


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_compiled_pages_are_the_selectors_pages_for_every_persona(lists, persona):
    user = lists[persona]
    for number in (None, "1", "2", "abc", "0", "-1"):
        query = {} if number is None else {"page": number}
        counts = selectors.my_item_counts(user)
        for bucket in selectors.BUCKETS:
            got = list_pages.my_items_page(request_for(user, **query), bucket, counts[bucket])
            expected = paginate(request_for(user, **query), selectors.my_items(user, bucket), count=counts[bucket])
            same_page(got, expected, fields)
            assert [(i.receivers_total, i.receivers_answered, fields(i.unit), fields(i.initiator)) for i in got] == \
                   [(i.receivers_total, i.receivers_answered, fields(i.unit), fields(i.initiator)) for i in expected]
        got = list_pages.review_inbox_page(request_for(user, **query))
        expected = paginate_counted(request_for(user, **query), selectors.review_inbox(user))
        same_page(got, expected, lambda s: (fields(s), s.my_taken_at, fields(s.item), s.item.unit.name,
                                            s.item.initiator.username))
        for answered in (False, True):
            got = list_pages.receiver_inbox_page(request_for(user, **query), answered)
            expected = paginate_counted(request_for(user, **query),
                                        selectors.receiver_inbox(user, include_answered=answered))
            same_page(got, expected, lambda r: (fields(r), r.has_open_question, fields(r.item), r.label))


def test_a_user_acting_for_a_principal_or_inactive_goes_the_queryset_way(lists):
    from datetime import timedelta

    from django.utils import timezone

    from infoflow.models import Delegation

    head = lists["head_market"]
    now = timezone.now()
    Delegation.objects.create(principal=lists["leader"], deputy=head, start=now - timedelta(days=1),
                              end=now + timedelta(days=1), created_by=lists["leader"])
    assert list_pages.review_inbox_page(request_for(head)) is None
    assert list_pages.receiver_inbox_page(request_for(head), False) is None
    officer = lists["officer_market"]
    officer.is_active = False
    assert list_pages.my_items_page(request_for(officer), "drafts", 1) is None


def test_a_page_is_one_query_and_the_sql_is_compiled_once_per_shape(lists):
    officer = lists["officer_market"]
    list_pages.receiver_inbox_page(request_for(officer), False)
    compiled._pages.clear()  # other tests compiled this shape already
    with CaptureQueriesContext(connection) as queries:
        page = list_pages.my_items_page(request_for(officer), "drafts", 1)
        list(page)
    assert len(queries) == 1 and " OVER " not in queries[0]["sql"]  # the tab badge is its count
    list_pages.my_items_page(request_for(officer), "drafts", 1)
    assert len(compiled._pages) == 1  # the second read reused the first's SQL


def test_a_stand_in_user_has_the_users_shape_with_other_ids(lists):
    for persona in PERSONAS:
        user = get_user_model().objects.get(pk=lists[persona].pk)
        shape, ids = user_shape(user)
        stand_ins = tuple(10_000_000 + n for n in range(len(ids)))  # in the ids' order
        stand_in = stand_in_user(shape, stand_ins)
        assert user_shape(stand_in) == (shape, stand_ins)
        mapped = dict(zip(ids, stand_ins))
        real, fake = roles_of(user), roles_of(stand_in)
        assert fake.roles == real.roles and fake.headed_unit_ids == {mapped[u] for u in real.headed_unit_ids}
        assert fake.officer_unit_ids == {mapped[u] for u in real.officer_unit_ids}


def test_compiled_page_takes_values_and_refuses_a_lambda(lists):
    with pytest.raises(ValueError):
        compiled.page(lambda *ids: _values_build(*ids), (1,))
    officer = lists["officer_market"]
    total = _values_build(officer.pk).count()
    assert total > 2
    rows, counted = compiled.page(_values_build, (officer.pk,), start=1, size=2)
    assert counted == total
    assert rows == [{**row, "list_total": total} for row in _values_build(officer.pk)[1:3]]


def _values_build(user_id):
    from infoflow.models import Item

    return Item.objects.filter(initiator_id=user_id).order_by("pk").values("id", "subject")


def test_the_batch_checklist_is_the_active_entries_of_the_steps_scopes_and_stages(lists):
    from infoflow.loop_models import ChecklistEntry
    from infoflow.models import Direction, Kind
    from infoflow.services.loop import checklist_for_steps

    ChecklistEntry.objects.all().delete()
    made = [ChecklistEntry.objects.create(text="要点 %d" % n, scope=scope, stage_name=stage, sort_order=order,
                                          is_active=active)
            for n, (scope, stage, order, active) in enumerate([
                ("all", "", 5, True), ("external", "", 1, True), ("publication", "", 2, True),
                ("external", "部门负责人审核", 3, True), ("all", "别的环节", 0, True), ("all", "", 0, False)])]
    steps = list(selectors.review_inbox(lists["head_market"]))
    assert steps
    for step in steps:
        scopes = {"all"} | ({"external"} if step.item.direction == Direction.EXTERNAL else set()) | (
            {"publication"} if step.item.kind == Kind.PUBLICATION else set())
        expected = [e.pk for e in ChecklistEntry.objects.filter(is_active=True, scope__in=scopes)
                    .order_by("sort_order", "pk") if not e.stage_name or e.stage_name == step.name]
        assert [e.pk for e in checklist_for_steps([step])] == expected
    assert made[5].pk not in [e.pk for e in checklist_for_steps(steps)]


def test_a_users_phrases_come_first_in_their_order(lists):
    from infoflow.services.phrases import DEFAULT_PHRASES, add_phrase, phrases_for

    head = lists["head_market"]
    for text in ("请尽快", "同意。", "已阅"):
        add_phrase(actor=head, text=text)
    phrases = phrases_for(head)
    assert phrases[:3] == ["请尽快", "同意。", "已阅"]
    assert phrases[3:] == [p for p in DEFAULT_PHRASES if p != "同意。"]
    assert phrases_for(lists["leader"]) == list(DEFAULT_PHRASES)


def test_the_filter_forms_units_are_its_fields_choices(lists):
    from infoflow.filters import ItemFilterForm, _unit_choices
    from officers.models import OrgUnit

    OrgUnit.objects.create(code="zz", name="新设部门", sort_order=0)
    form = ItemFilterForm()
    assert _unit_choices(form) == tuple(form.fields["unit"].queryset.values_list("pk", "name"))
    assert "新设部门" in dict(_unit_choices(ItemFilterForm())).values()


def test_a_long_received_list_pages_like_the_selector_across_pages(lists):
    """The receipts' page is read as its keys and count from the receipts alone, then the 20 rows with their joins
    (views.common.paginate_keyed): over several pages, with due dates in another order than the ids and a due date
    missing, each page is the selector's, in its order, and the count is the whole list's."""
    import datetime as dt

    from infoflow.models import Receiver

    officer = lists["officer_prod"]
    first = Receiver.objects.filter(unit=lists["prod"], state=Receiver.State.SENT).first()
    assert first is not None
    item = first.item
    base = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.timezone.utc)
    made = [Receiver(item=item, kind=Receiver.Kind.UNIT, unit=first.unit, state=Receiver.State.SENT,
                     response_due_at=None if n == 7 else base + dt.timedelta(hours=(n * 7) % 23)) for n in range(41)]
    Receiver.objects.bulk_create(made)
    total = selectors.receiver_inbox(officer).count()
    assert total > 40
    for number in ("1", "2", "3", "4", "99"):
        got = list_pages.receiver_inbox_page(request_for(officer, page=number), False)
        expected = paginate_counted(request_for(officer, page=number), selectors.receiver_inbox(officer))
        same_page(got, expected, lambda r: (fields(r), r.has_open_question, fields(r.item), r.label))
        assert got.paginator.count == total
