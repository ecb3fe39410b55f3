"""briefs/services/issues.py and adoption.py: compiling, editing, ordering and
publishing an issue; who may; in which state; bad input."""
import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from briefs.errors import BriefInvalid, BriefStateConflict
from briefs.models import Adoption, BulletinIssue, BulletinRecord
from briefs.services import adoption as adoption_services
from briefs.services import issues as services
from briefs.services.archiving import verify_records
from infoflow.models import Item
from liaison.models import Notification
from tests.briefs.conftest import NOW, make_item

pytestmark = pytest.mark.django_db


def publish(issue, actor):
    with time_machine.travel(NOW, tick=False):
        return services.publish_issue(issue=issue, actor=actor)


def test_entries_copy_the_items_text_in_the_order_added(filled, adopted):
    entries = list(filled.entries.order_by("position"))

    assert [e.item_id for e in entries] == [i.pk for i in adopted]
    assert [e.position for e in entries] == [1, 2, 3]
    assert entries[0].title == adopted[0].subject and entries[0].text == adopted[0].summary
    assert entries[1].unit_name == "生产部" and entries[1].item_number == adopted[1].number


def test_editing_an_entry_changes_this_issue_only(filled, adopted, secretary):
    entry = filled.entries.get(item=adopted[0])

    services.edit_entry(entry=entry, actor=secretary, title="签约新客户（简报稿）", text="经编辑的正文。")

    entry.refresh_from_db()
    adopted[0].refresh_from_db()
    assert (entry.title, entry.text) == ("签约新客户（简报稿）", "经编辑的正文。")
    assert adopted[0].subject == "市场部签约三家新客户"
    assert entry.history.first().history_user == secretary


def test_empty_entry_text_is_refused(filled, secretary):
    entry = filled.entries.first()

    with pytest.raises(BriefInvalid):
        services.edit_entry(entry=entry, actor=secretary, title="标题", text="   ")


def test_moving_and_removing_keep_positions_one_to_n(filled, adopted, secretary):
    last = filled.entries.get(item=adopted[2])

    services.move_entry(entry=last, actor=secretary, up=True)
    assert list(filled.entries.order_by("position").values_list("item_id", flat=True)) == [
        adopted[0].pk, adopted[2].pk, adopted[1].pk]
    services.move_entry(entry=filled.entries.get(item=adopted[0]), actor=secretary, up=True)  # at the top: stays
    services.remove_entry(entry=filled.entries.get(item=adopted[2]), actor=secretary)

    assert list(filled.entries.order_by("position").values_list("item_id", "position")) == [
        (adopted[0].pk, 1), (adopted[1].pk, 2)]


@pytest.mark.parametrize("state", [Item.State.IN_REVIEW, Item.State.RETURNED, Item.State.WITHDRAWN])
def test_an_item_not_adopted_cannot_go_in(draft, market, officer_market, secretary, state):
    item = make_item(market, officer_market, "审核中", state=state)

    with pytest.raises(BriefInvalid):
        services.add_item(issue=draft, item=item, actor=secretary)


@pytest.mark.parametrize("level", ["internal", "restricted"])
def test_an_internal_or_restricted_item_cannot_go_in(draft, market, officer_market, secretary, level):
    item = make_item(market, officer_market, "内部事项", confidentiality=level)

    with pytest.raises(BriefInvalid):
        services.add_item(issue=draft, item=item, actor=secretary)


def test_an_item_goes_in_once(filled, adopted, secretary):
    with pytest.raises(BriefInvalid):
        services.add_item(issue=filled, item=adopted[0], actor=secretary)


@pytest.mark.parametrize("who", ["officer_market", "head_market", "leader", "employee"])
def test_only_the_secretariat_compiles(request, draft, adopted, who):
    user = request.getfixturevalue(who)

    with pytest.raises(PermissionDenied):
        services.add_item(issue=draft, item=adopted[0], actor=user)
    with pytest.raises(PermissionDenied):
        services.create_issue(actor=user, period="2026-03")
    with pytest.raises(PermissionDenied):
        services.publish_issue(issue=draft, actor=user)


@pytest.mark.parametrize("period", ["2026-13", "2026/03", "", "26-03"])
def test_a_bad_month_is_refused(secretary, period):
    with pytest.raises(BriefInvalid):
        services.create_issue(actor=secretary, period=period)


def test_publishing_numbers_dates_seals_and_records_adoption(filled, adopted, secretary):
    issue = publish(filled, secretary)

    assert (issue.state, issue.year, issue.number) == (BulletinIssue.State.PUBLISHED, 2026, 1)
    assert issue.number_label == "2026年第1期"
    assert issue.issue_date.isoformat() == "2026-03-30"
    record = BulletinRecord.objects.get(issue=issue)
    assert record.item_numbers == ", ".join(i.number for i in adopted)
    assert record.pdf.read()[:5] == b"%PDF-"
    assert verify_records() == []
    assert set(Adoption.objects.values_list("item_id", "level")) == {(i.pk, "organisation") for i in adopted}
    assert issue.history.filter(history_change_reason="publish", history_user=secretary).count() == 1


def test_the_next_issue_takes_the_next_number(filled, secretary, market, officer_market):
    publish(filled, secretary)
    second = services.create_issue(actor=secretary, period="2026-04")
    services.add_item(issue=second, item=make_item(market, officer_market, "四月信息"), actor=secretary)

    assert publish(second, secretary).number == 2


def test_publishing_tells_each_submitter_once(filled, secretary, officer_market, officer_prod):
    publish(filled, secretary)

    notes = Notification.objects.filter(key__startswith="briefs:issue:%d:" % filled.pk)
    assert sorted(n.recipient.username for n in notes) == ["officer_market", "officer_prod"]
    market_note = notes.get(recipient=officer_market)
    assert "2026年第1期" in market_note.subject


def test_a_published_issue_cannot_change_or_publish_again(filled, adopted, secretary, market, officer_market):
    publish(filled, secretary)
    entry = filled.entries.first()

    with pytest.raises(BriefStateConflict):
        services.publish_issue(issue=filled, actor=secretary)
    with pytest.raises(BriefStateConflict):
        services.edit_entry(entry=entry, actor=secretary, title="改", text="改")
    with pytest.raises(BriefStateConflict):
        services.add_item(issue=filled, item=make_item(market, officer_market, "晚到"), actor=secretary)
    with pytest.raises(BriefStateConflict):
        services.remove_entry(entry=entry, actor=secretary)


def test_an_empty_issue_cannot_be_published(draft, secretary):
    with pytest.raises(BriefInvalid):
        services.publish_issue(issue=draft, actor=secretary)
    draft.refresh_from_db()
    assert draft.number is None and draft.is_draft


def test_publishing_keeps_a_higher_recorded_level(filled, adopted, secretary):
    adoption_services.record_adoption(item=adopted[1], level="publication", actor=secretary, note="省报刊登")

    publish(filled, secretary)

    assert Adoption.objects.get(item=adopted[1]).level == "publication"


def test_recording_adoption_needs_the_secretariat_and_an_adopted_item(adopted, market, officer_market, secretary):
    with pytest.raises(PermissionDenied):
        adoption_services.record_adoption(item=adopted[0], level="department", actor=officer_market)
    with pytest.raises(BriefInvalid):
        adoption_services.record_adoption(item=adopted[0], level="galaxy", actor=secretary)
    returned = make_item(market, officer_market, "被退回", state=Item.State.RETURNED)
    with pytest.raises(BriefInvalid):
        adoption_services.record_adoption(item=returned, level="department", actor=secretary)

    row = adoption_services.record_adoption(item=adopted[0], level="department", actor=secretary, note="部门例会通报")
    row = adoption_services.record_adoption(item=adopted[0], level="publication", actor=secretary)

    assert row.level == "publication" and row.history.count() == 2


def test_a_tampered_record_no_longer_verifies(filled, secretary):
    publish(filled, secretary)

    BulletinRecord.objects.filter(pk=filled.record.pk).model._base_manager.filter(pk=filled.record.pk).update(
        content='{"entries":[]}')

    assert any("content changed" in p or "seal" in p for p in verify_records())
