"""The bulletin on a phone (issue 16 "Done when"): an employee reads
/bulletin/ at 390 px, opens a release with a correction notice and leaves
feedback; the secretary's release desk and calendar fit too. Nothing is
wider than the screen and no page logs an error."""
import pytest

from infoflow.services.chain import submit_item
from publication.models import Feedback
from publication.services import corrections, release
from tests.factories import PASSWORD
from tests.infoflow.conftest import default_routes, frozen, make_item, org  # noqa: F401  (fixtures)
from tests.publication.conftest import (  # noqa: F401  (fixtures)
    bulletin_channel,
    drive,
    email_channel,
    news,
    publication_data,
    publish,
    wechat,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def released(org, publish, bulletin_channel, news, wechat, email_channel):
    long_subject = "市场部完成二〇二六年第一季度重点客户满意度调查并形成整改清单（共十二项措施，涉及交货、售后与投诉处理）"
    original = publish(subject=long_subject, summary="满意度达到百分之九十二。" * 20)
    release.record_release(actor=org["secretary"], item=original, channel=bulletin_channel, category=news)
    release.record_release(actor=org["secretary"], item=original, channel=wechat,
                           link="https://mp.weixin.qq.com/s/" + "a" * 120)
    correction = corrections.create_correction(actor=org["officer_market"], original=original, kind="correction",
                                               subject="关于满意度调查数据的更正", summary="满意度应为百分之九十。")
    item = drive(submit_item(item=correction.item, actor=org["officer_market"]), org)
    release.record_release(actor=org["secretary"], item=item, channel=bulletin_channel, category=news)
    internal = publish(confidentiality="internal", subject="内部人事安排不得出现在公告栏")
    release.record_release(actor=org["secretary"], item=internal, channel=email_channel)
    return original


def test_an_employee_reads_the_bulletin_and_leaves_feedback_on_a_phone(phone, org, released, tmp_path):
    reader = phone(org["employee"].username, PASSWORD, "/bulletin/")
    page = reader.page.content()
    assert "关于满意度调查数据的更正" in page and "有更正或撤回" in page
    assert "内部人事安排" not in page
    reader.page.screenshot(path=str(tmp_path / "bulletin.png"), full_page=True)

    reader.click_locator(reader.page.get_by_role("link", name=released.subject))
    assert "本信息已更正" in reader.page.content()
    reader.page.fill("textarea[name=text]", "建议公布整改进度。")
    reader.click("section.feedback button[type=submit]")
    assert "感谢您的反馈。" in reader.page.content()
    assert Feedback.objects.get().text == "建议公布整改进度。"
    reader.goto("/bulletin/?c=news&q=满意度")
    reader.page.screenshot(path=str(tmp_path / "detail.png"), full_page=True)

    desk = phone(org["secretary"].username, PASSWORD, "/publication/")
    assert released.subject in desk.page.content()
    desk.goto("/publication/calendar/")
    desk.goto("/publication/items/%d/release/" % released.pk)
    desk.goto("/items/%d/" % released.pk)
    assert "本信息已登记更正" in desk.page.content()
