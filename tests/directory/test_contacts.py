"""Contacts import from WeCom / DingTalk / the directory into a preview HR
confirms (issue 20 §4)."""
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from directory.contacts import apply_import, read_contacts
from directory.errors import ImportRefused
from directory.models import ContactsImport, ExternalAccount
from liaison.models import AuditEntry
from officers.models import OrgUnit, RoleAssignment
from tests.factories import OrgUnitFactory, RoleFactory, UserFactory

User = get_user_model()
pytestmark = pytest.mark.django_db


@pytest.fixture
def hr(db):
    user = UserFactory(username="hr_zhou", first_name="周人事")
    RoleFactory(user=user, role=RoleAssignment.Role.HR_ADMIN)
    return user


@pytest.fixture
def wecom_contacts(platforms):
    s = platforms.state
    s.departments = [
        {"id": 1, "name": "示例集团", "parentid": 0, "order": 1},
        {"id": 2, "name": "市场部", "parentid": 1, "order": 1},
        {"id": 3, "name": "华东销售组", "parentid": 2, "order": 1},
    ]
    s.wecom_users.update({
        "ZhangSan": {"name": "张三", "mobile": "13800000001", "email": "zs@example.cn", "department": [2], "status": 1},
        "NewGuy": {"name": "新同事", "mobile": "13800000009", "email": "", "department": [3], "status": 1},
        "Left": {"name": "离职者", "mobile": "13800000008", "email": "", "department": [3], "status": 2},
    })
    return platforms


def test_preview_writes_nothing_and_confirm_writes_the_tree_people_and_links(wecom_contacts, hr):
    OrgUnitFactory(name="市场部", code="MKT")
    zhang = UserFactory(username="zhangsan", profile__phone="13800000001")
    units_before, users_before = OrgUnit.objects.count(), User.objects.count()

    record = read_contacts(source="wecom", actor=hr)

    assert (OrgUnit.objects.count(), User.objects.count()) == (units_before, users_before)
    assert not ExternalAccount.objects.exists()
    actions = {p["id"]: p["action"] for p in record.plan["people"]}
    assert actions == {"ZhangSan": "link", "NewGuy": "new", "Left": "skip"}
    assert {u["name"]: u["action"] for u in record.plan["units"]} == {"示例集团": "new", "市场部": "exists",
                                                                      "华东销售组": "new"}

    counts = apply_import(record=record, actor=hr)

    assert counts["new"] == 1 and counts["link"] == 1
    group = OrgUnit.objects.get(name="华东销售组")
    assert group.parent.name == "市场部" and OrgUnit.objects.get(name="示例集团").code == "WX-1"
    new = User.objects.get(username="newguy")
    assert (new.first_name, new.profile.unit, new.profile.phone, new.has_usable_password()) == (
        "新同事", group, "13800000009", False)
    assert ExternalAccount.objects.get(source="wecom", external_id="ZhangSan").user == zhang
    assert not User.objects.filter(first_name="离职者").exists()
    record.refresh_from_db()
    assert record.state == "applied" and record.applied_by == hr
    assert AuditEntry.objects.filter(action="import", user=hr).count() == 1


def test_confirming_twice_is_refused(wecom_contacts, hr):
    record = read_contacts(source="wecom", actor=hr)
    apply_import(record=record, actor=hr)

    with pytest.raises(ImportRefused):
        apply_import(record=record, actor=hr)


def test_shared_mobile_is_an_error_row_and_blocks_the_whole_import(wecom_contacts, hr):
    UserFactory(username="a1", profile__phone="13800000001")
    UserFactory(username="a2", profile__phone="13800000001")
    record = read_contacts(source="wecom", actor=hr)
    users_before = User.objects.count()

    with pytest.raises(ImportRefused):
        apply_import(record=record, actor=hr)

    assert User.objects.count() == users_before and not OrgUnit.objects.filter(name="华东销售组").exists()


def test_dingtalk_contacts_are_read_too(platforms, hr):
    s = platforms.state
    s.departments = [{"id": 2, "name": "生产部", "parentid": 1}]
    s.ding_users["u1"] = {"userid": "dd001", "nick": "钉钉用户", "mobile": "13700000001", "department": [2]}

    record = read_contacts(source="dingtalk", actor=hr)

    assert [p["id"] for p in record.plan["people"]] == ["dd001"]
    assert record.plan["units"][0]["code"] == "DD-2"


def test_ldap_contacts_are_read_from_the_directory(directory, hr):
    record = read_contacts(source="ldap", actor=hr)

    people = {p["id"].split(",")[0]: p for p in record.plan["people"]}
    assert people["uid=lisi"]["action"] == "skip"  # disabled in the directory
    assert people["uid=zhangsan"]["action"] == "new" and people["uid=zhangsan"]["username"] == "zhangsan"


def test_pages_for_hr_and_404_for_others(wecom_contacts, hr, client):
    client.force_login(hr)
    started = client.post(reverse("directory:imports"), {"source": "wecom"})
    record = ContactsImport.objects.get()
    page = client.get(reverse("directory:import", args=[record.pk]))
    confirmed = client.post(reverse("directory:import-confirm", args=[record.pk]))

    assert started.status_code == 302 and page.status_code == 200 and "新同事" in page.content.decode()
    assert confirmed.status_code == 302
    assert User.objects.filter(username="newguy").exists()
    other = UserFactory(username="other")
    client.force_login(other)
    assert client.get(reverse("directory:imports")).status_code == 404
    assert client.get(reverse("directory:import", args=[record.pk])).status_code == 404


def test_unconfigured_platform_is_a_clear_message(hr, client, settings, db):
    settings.DIRECTORY_WECOM_SECRET = ""
    client.force_login(hr)

    response = client.post(reverse("directory:imports"), {"source": "wecom"}, follow=True)

    assert "企业微信尚未配置" in response.content.decode()
    assert not ContactsImport.objects.exists()


def test_import_list_queries_do_not_grow_with_rows(hr, client, django_assert_max_num_queries):
    client.force_login(hr)
    ContactsImport.objects.create(source="wecom", created_by=hr)
    client.get(reverse("directory:imports"))
    with django_assert_max_num_queries(12):
        client.get(reverse("directory:imports"))
    for _ in range(10):
        ContactsImport.objects.create(source="dingtalk", created_by=hr, data={"people": [{"id": "x"}] * 50})
    with django_assert_max_num_queries(12):
        assert client.get(reverse("directory:imports")).status_code == 200
