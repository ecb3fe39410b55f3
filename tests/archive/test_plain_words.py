"""No raw code where a user reads (issue 10, 6.2): the virus check says in the
reader's words what was not checked; units read as names, people as names."""
import pytest

from archive import fourprops
from archive.services import archive_item
from officers.models import OrgUnit

from .conftest import PDF

NOT_SCANNED = "附件未做病毒扫描（系统未接入病毒扫描服务）"


@pytest.mark.django_db
def test_the_security_check_says_what_was_not_checked(make_item, settings):
    settings.CLAMAV_SOCKET = settings.CLAMAV_HOST = ""
    record = archive_item(item=make_item(files=[("a.pdf", PDF)]))

    check = fourprops.security(record)

    assert check.ok is None and [str(n) for n in check.notes] == [NOT_SCANNED]


@pytest.mark.django_db
def test_the_report_page_and_its_excel_never_name_the_daemon(client, make_item, secretary, settings):
    from io import BytesIO

    from openpyxl import load_workbook

    settings.CLAMAV_SOCKET = settings.CLAMAV_HOST = ""
    archive_item(item=make_item(files=[("a.pdf", PDF)]))
    client.force_login(secretary)

    page = client.get("/archive/report/").content.decode()
    book = load_workbook(BytesIO(b"".join(client.get("/archive/report.xlsx").streaming_content)), read_only=True)
    cells = " ".join(str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row if c)

    assert NOT_SCANNED in page and NOT_SCANNED in cells
    for text in (page, cells):
        assert "ClamAV" not in text and "未配置" not in text


@pytest.mark.django_db
def test_the_home_page_names_a_unit_without_its_code(client, secretary, market, prod, officer_market):
    unit = OrgUnit.objects.create(code="tech", name="技术部")
    client.force_login(secretary)

    page = client.get("/").content.decode()
    block = page.split("缺少在岗联络员的单位")[1].split("</article>")[0]

    assert unit.name in block and "（tech）" not in block and "tech" not in block


@pytest.mark.django_db
def test_the_item_page_shows_release_channels_as_labels(client, make_item, secretary):
    from infoflow.models import Item

    item = make_item(state=Item.State.TRANSMITTED, completed_at=None, release_channels="intranet,wechat_oa")
    client.force_login(secretary)

    page = client.get("/items/%d/" % item.pk).content.decode()

    assert "内网网站、微信公众号" in page and "intranet" not in page and "wechat_oa" not in page


@pytest.mark.django_db
def test_the_reports_findings_name_only_records_the_reader_may_see(client, records_for_report, secretary):
    from archive.models import VerificationRun

    normal, secret = records_for_report
    VerificationRun.objects.create(ok=False, records=2, failures=[
        [normal.number, "封存校验值不符"], [secret.number, "归档内容与封存时不一致"],
        ["审计日志 #3", "审计日志被修改、删除或顺序被改变"],
        ["销毁清册 X", "链序号 7 至 7 之间的记录缺失（在 %s 之后）" % secret.number],
    ])
    client.force_login(secretary)

    page = client.get("/archive/report/").content.decode()

    assert normal.number in page and "审计日志 #3" in page
    assert secret.number not in page
    assert "另有 2 项问题涉及您无权查看的档案，未列出。" in page


@pytest.fixture
def records_for_report(make_item):
    normal = archive_item(item=make_item(subject="市场部合同续签"))
    secret = archive_item(item=make_item(subject="限定范围的人事调整", confidentiality="restricted"))
    return normal, secret


@pytest.mark.django_db
def test_check_now_names_only_records_the_reader_may_see(client, records_for_report, secretary):
    from django.db import connection

    normal, secret = records_for_report
    with connection.cursor() as cursor:
        cursor.execute("UPDATE archive_archivedrecord SET subject = %s WHERE id IN (%s, %s)",
                       ["改过", normal.pk, secret.pk])
    client.force_login(secretary)

    page = client.post("/archive/report/verify/", follow=True).content.decode()

    assert "校验未通过：%s、另有 1 项涉及您无权查看的档案。" % normal.number in page
    assert secret.number not in page
