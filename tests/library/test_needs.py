"""Information needs (seed 000 确定信息需求): a department's officer or head
states them; new entries and completed or released items matching them
notify the department's officers through the outbox, once per (need,
entry) and (need, item)."""
import threading

import pytest
from django.db import connection

from infoflow.models import Category as ItemCategory
from infoflow.models import Item
from infoflow.services.delivery import complete_item
from library import matching, services
from library.models import Need, NeedMatch
from liaison.errors import LibraryInvalid, LibraryNotAllowed, LibraryStateConflict
from liaison.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def prod_need(head_prod, prod, regulation):
    return services.save_need(actor=head_prod, unit=prod, title="生产部要的法规", categories=[regulation],
                              keywords="安全生产，标准")


def _notices(user, prefix="library:need:"):
    return list(Notification.objects.filter(recipient=user, key__startswith=prefix))


def test_matching_entry_notifies_the_departments_officers_once(prod_need, make_entry, officer_market, market,
                                                               officer_prod, head_prod):
    entry = make_entry(officer_market, market)

    [notice] = _notices(officer_prod)
    assert notice.key == "library:need:%d:entry:%d" % (prod_need.pk, entry.pk)
    assert notice.url == "/library/%d/" % entry.pk
    assert "安全生产法规汇编" in notice.subject
    assert not _notices(head_prod)  # the officers are told, not the head
    assert matching.match_entry(entry) == []  # a second match of the pair does nothing
    assert NeedMatch.objects.filter(need=prod_need, entry=entry).count() == 1
    assert len(_notices(officer_prod)) == 1


def test_entry_of_another_category_or_without_keyword_does_not_match(prod_need, make_entry, officer_market, market,
                                                                     template_category, officer_prod):
    make_entry(officer_market, market, title="安全生产检查表")  # keyword, right category: matches
    services.create_entry(actor=officer_market, department=market,
                          fields={**_fields(template_category), "title": "安全生产检查表模板"})
    make_entry(officer_market, market, title="财务报销制度", summary="差旅费", reference="")

    assert len(_notices(officer_prod)) == 1


def _fields(category):
    from tests.library.conftest import fields

    return fields(category)


def test_officer_who_added_the_entry_is_not_told(market, officer_market, make_entry):
    services.save_need(actor=officer_market, unit=market, title="法规", keywords="法规")

    make_entry(officer_market, market)

    assert not _notices(officer_market)


def test_restricted_entry_is_not_told_to_officers_who_may_not_see_it(prod_need, make_entry, officer_market, market,
                                                                    officer_prod):
    entry = make_entry(officer_market, market, title="市场部限定 安全生产资料", confidentiality="restricted")

    assert NeedMatch.objects.filter(need=prod_need, entry=entry).exists()
    assert not _notices(officer_prod)


def test_restricted_entry_notice_carries_no_title(market, prod, officer_market, officer_prod, make_entry, head_prod,
                                                  regulation):
    services.save_need(actor=head_prod, unit=prod, title="报价", keywords="报价")

    make_entry(officer_market, market, title="机密报价单", confidentiality="restricted", units=[prod])

    [notice] = _notices(officer_prod)
    assert "机密" not in notice.subject and notice.confidentiality == "restricted"


def test_completed_item_matching_keywords_notifies_once(prod_need, make_item, officer_market, officer_prod,
                                                        django_capture_on_commit_callbacks):
    item = make_item(state=Item.State.TRANSMITTED, to_all_staff=True, confidentiality="internal")

    with django_capture_on_commit_callbacks(execute=False):
        complete_item(item=item, actor=officer_market)

    [notice] = _notices(officer_prod)
    assert notice.key == "library:need:%d:item:%d" % (prod_need.pk, item.pk)
    assert notice.url == "/items/%d/" % item.pk and notice.item_number == item.number
    matching.item_finished(item, actor=officer_market, how="released")  # released later: no second notice
    assert len(_notices(officer_prod)) == 1


def test_item_category_need_and_invisible_items(prod, head_prod, make_item, officer_prod):
    kind = ItemCategory.objects.create(code="policy-x", name="政策法规")
    services.save_need(actor=head_prod, unit=prod, title="政策类信息", item_categories=[kind])
    hidden = make_item(category=kind, subject="市场部内部事项")  # internal, not for all staff: prod cannot see it
    shared = make_item(category=kind, subject="全员通知", to_all_staff=True, state=Item.State.COMPLETED)
    secret = make_item(category=kind, subject="限定事项", confidentiality="restricted")

    matching.item_finished(hidden, how="completed")
    matching.item_finished(shared, how="completed")
    assert matching.item_finished(secret, how="completed") == []

    assert [n.key.rsplit(":", 1)[1] for n in _notices(officer_prod)] == [str(shared.pk)]


def test_a_closed_need_matches_nothing(prod_need, head_prod, make_entry, officer_market, market, officer_prod):
    services.close_need(actor=head_prod, need=prod_need)

    make_entry(officer_market, market)

    assert not _notices(officer_prod)
    with pytest.raises(LibraryStateConflict):
        services.close_need(actor=head_prod, need=prod_need)


def test_need_rules_who_and_what(prod, market, officer_prod, head_prod, employee, officer_market, secretary):
    with pytest.raises(LibraryInvalid, match="至少选择"):
        services.save_need(actor=officer_prod, unit=prod, title="空需求")
    with pytest.raises(LibraryNotAllowed):
        services.save_need(actor=officer_market, unit=prod, title="别人的", keywords="x")
    for user in (employee, secretary):
        with pytest.raises(LibraryNotAllowed):
            services.save_need(actor=user, unit=market, title="无权", keywords="x")
    need = services.save_need(actor=officer_prod, unit=prod, title="设备", keywords="设备")
    services.save_need(actor=head_prod, unit=prod, need=need, title="设备标准", keywords="设备 标准")
    need.refresh_from_db()
    assert need.keyword_list() == ["设备", "标准"]
    assert [h.history_change_reason for h in need.history.order_by("history_id")] == ["create", "update"]


def test_needs_page_per_role(client, prod_need, officer_prod, officer_market, employee, secretary, auditor, prod):
    client.force_login(officer_prod)
    page = client.get("/library/needs/").content.decode()
    assert "生产部要的法规" in page and "提出信息需求" in page

    client.force_login(officer_market)
    assert "生产部要的法规" not in client.get("/library/needs/").content.decode()
    assert client.get("/library/needs/%d/edit/" % prod_need.pk).status_code == 404
    assert client.post("/library/needs/%d/close/" % prod_need.pk).status_code == 404

    for user in (secretary, auditor):
        client.force_login(user)
        page = client.get("/library/needs/").content.decode()
        assert "生产部要的法规" in page and "提出信息需求" not in page
        assert client.get("/library/needs/%d/edit/" % prod_need.pk).status_code == 403

    client.force_login(employee)
    assert client.get("/library/needs/").status_code == 403


def test_needs_form_refuses_no_criterion_and_keeps_input(client, officer_prod, prod):
    client.force_login(officer_prod)

    response = client.post("/library/needs/", {"unit": prod.pk, "title": "我要的信息", "keywords": " "})

    html = response.content.decode()
    assert response.status_code == 200 and "请至少选择一个资料类别" in html and "我要的信息" in html
    assert not Need.objects.exists()


def test_close_need_asks_first(client, prod_need, officer_prod):
    client.force_login(officer_prod)

    assert "确定关闭" in client.get("/library/needs/%d/close/" % prod_need.pk).content.decode()
    client.post("/library/needs/%d/close/" % prod_need.pk)

    prod_need.refresh_from_db()
    assert not prod_need.active


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_matches_of_one_pair_notify_once(prod, market, regulation, officer_market, officer_prod,
                                                        head_prod):
    from tests.library.conftest import fields

    entry = services.create_entry(actor=officer_market, department=market, fields=fields(regulation, title="规章"))
    need = services.save_need(actor=head_prod, unit=prod, title="法规", keywords="规章")
    assert not NeedMatch.objects.exists()  # stated after the entry: nothing matched backwards
    barrier = threading.Barrier(2)
    results = []

    def run():
        try:
            barrier.wait()
            from django.db import transaction

            with transaction.atomic():
                match = matching._claim(need, entry=entry)
                if match is not None:
                    from library import notices

                    notices.entry_matches_need(match, actor=None)
                results.append(match is not None)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(results) == [False, True]
    assert NeedMatch.objects.filter(need=need, entry=entry).count() == 1
    assert Notification.objects.filter(recipient=officer_prod, key__startswith="library:need:").count() == 1


def test_needs_page_queries_do_not_grow_with_rows(client, secretary, prod, market, head_prod, officer_market,
                                                  regulation, django_assert_max_num_queries):
    client.force_login(secretary)
    services.save_need(actor=head_prod, unit=prod, title="需求 0", categories=[regulation], keywords="a")
    client.get("/library/needs/")
    with django_assert_max_num_queries(40) as few:
        client.get("/library/needs/")
    for n in range(1, 15):
        services.save_need(actor=officer_market, unit=market, title="需求 %d" % n, categories=[regulation],
                           keywords="b")

    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/library/needs/").status_code == 200
