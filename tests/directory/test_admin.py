"""The directory app in the admin: the secret never in the database, HR's
data editable, reports and imports read-only and HR-only (issue 20)."""
import pytest
from django.urls import reverse

from directory.models import ExternalAccount, MessengerApp, SyncReport
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_messenger_app_has_no_secret_column_and_the_admin_says_where_it_is(admin_client, settings):
    settings.DIRECTORY_WECOM_SECRET = "s3cret-value"
    app = MessengerApp.objects.create(platform="wecom", corp_id="ww1", agent_id="1000002")

    page = admin_client.get(reverse("admin:directory_messengerapp_change", args=[app.pk])).content.decode()

    assert not any("secret" in f.name for f in MessengerApp._meta.get_fields())
    assert "LIAISON_WECOM_SECRET: 已在环境变量中设置" in page and "s3cret-value" not in page


def test_hr_links_a_wecom_id_in_the_admin(admin_client):
    user = UserFactory(username="zhangsan")

    response = admin_client.post(reverse("admin:directory_externalaccount_add"), {
        "user": user.pk, "source": "wecom", "external_id": "ZhangSan"})

    assert response.status_code == 302
    account = ExternalAccount.objects.get()
    assert (account.user, account.linked_by) == (user, "hr") and account.history.count() == 1


def test_reports_are_read_only_and_hidden_from_staff_without_the_hr_role(client):
    report = SyncReport.objects.create(new_count=1)
    staff = UserFactory(username="staff", is_staff=True)
    client.force_login(staff)

    assert client.get(reverse("admin:directory_syncreport_change", args=[report.pk])).status_code in (403, 404)
