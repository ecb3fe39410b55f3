"""Who learns who wrote (issue 17 §3): only the named handlers of the box;
the assigned unit sees the text only; reward approvers, auditors and the
superuser see nothing of the writer; history, audit, notifications,
exports, statistics and the admin never carry it."""
import io

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from liaison.models import AuditEntry, Notification
from suggestions import identity, services
from suggestions.models import Identity, Note
from tests.factories import UserFactory
from tests.suggestions.conftest import submit

pytestmark = pytest.mark.django_db

SECRETS = ("秦写信", "whistle_qz")


@pytest.fixture
def worked(signed_case, anonymous_case, secretary, gm, market, officer_market):
    services.assign_case(case=signed_case, actor=secretary, unit=market, days=5)
    services.add_note(case=signed_case, actor=officer_market, kind=Note.Kind.INVESTIGATION, text="已核查。")
    services.record_finding(case=signed_case, actor=secretary, finding="founded", answer="属实。")
    reward = services.propose_reward(case=signed_case, actor=secretary, amount="200", reason="属实")
    services.decide_reward(reward=reward, actor=gm, approve=True)
    return signed_case


def _page(client, user, path):
    client.force_login(user)
    return client.get(path)


def test_the_handler_sees_the_writer(client, worked, secretary):
    text = _page(client, secretary, "/suggestions/%d/" % worked.pk).content.decode()

    assert "秦写信" in text and "13900000000" in text


@pytest.mark.parametrize("persona", ["head_market", "officer_market", "leader", "gm"])  # leader: supervises market
def test_the_unit_and_the_approver_see_the_text_only(client, worked, persona, request):
    response = _page(client, request.getfixturevalue(persona), "/suggestions/%d/" % worked.pk)

    text = response.content.decode()
    assert response.status_code == 200 and "QZSIGNEDTEXT" in text
    for secret in SECRETS + ("13900000000",):
        assert secret not in text


@pytest.mark.parametrize("persona", ["auditor", "employee", "head_prod", "legal"])
def test_everyone_else_gets_404(client, worked, persona, request):
    assert _page(client, request.getfixturevalue(persona), "/suggestions/%d/" % worked.pk).status_code == 404


def test_the_superuser_gets_404_and_no_admin_page_for_cases(client, worked):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)

    assert _page(client, root, "/suggestions/%d/" % worked.pk).status_code == 404
    assert Identity not in admin.site._registry
    assert client.get("/admin/suggestions/identity/").status_code == 404
    assert client.get("/admin/suggestions/case/").status_code == 404


def test_identity_is_refused_to_all_but_handlers(worked, gm, head_market, secretary):
    for user in (gm, head_market):
        with pytest.raises(Exception):
            identity.identity_for(case=worked, user=user)

    assert identity.identity_for(case=worked, user=secretary).name == "秦写信"


def test_identity_has_no_history_and_no_reverse_accessor():
    assert not hasattr(Identity, "history")
    from suggestions.models import Case

    assert not any(f.related_model is Identity for f in Case._meta.get_fields() if f.auto_created)


def test_history_audit_and_notices_never_name_the_writer(worked, writer):
    rows = list(worked.history.values())
    assert all(row["history_user_id"] != writer.pk for row in rows)
    assert all(secret not in str(row) for row in rows for secret in SECRETS)
    for notice in Notification.objects.all():
        assert all(secret not in notice.subject + notice.body for secret in SECRETS)
    assert not Notification.objects.filter(recipient=writer).exists()
    assert not AuditEntry.objects.filter(user=writer).exists()
    for entry in AuditEntry.objects.all():
        assert all(secret not in "%s %s" % (entry.object_repr, entry.detail) for secret in SECRETS)


def test_export_and_statistics_never_name_the_writer(client, worked, secretary):
    client.force_login(secretary)

    export = b"".join(client.get("/suggestions/export.csv").streaming_content
                      if hasattr(client.get("/suggestions/export.csv"), "streaming_content")
                      else [client.get("/suggestions/export.csv").content]).decode("utf-8-sig")
    stats = client.get("/suggestions/statistics/").content.decode()

    assert worked.number in export and "QZSIGNEDTEXT" not in export
    assert "<svg" in stats and "按处理结论" in stats
    for secret in SECRETS:
        assert secret not in export and secret not in stats


def test_the_writer_reads_the_answer_of_a_signed_case_in_the_portal(client, worked, writer):
    text = _page(client, writer, "/suggestions/mine/").content.decode()

    assert worked.number in text and "属实。" in text and "200" in text


def test_an_anonymous_case_is_not_among_the_writers_cases(client, worked, anonymous_case, writer):
    text = _page(client, writer, "/suggestions/mine/").content.decode()

    assert anonymous_case.number not in text


def test_the_writer_does_not_see_their_case_among_handled_cases(client, worked, writer):
    assert _page(client, writer, "/suggestions/%d/" % worked.pk).status_code == 404


def test_statistics_are_for_the_boxes_people(client, worked, head_market):
    assert _page(client, head_market, "/suggestions/statistics/").status_code == 403
    assert client.get("/suggestions/export.csv").status_code == 403


def test_the_list_keeps_a_fixed_number_of_queries(client, secretary, handlers, writer, category,
                                                  django_assert_max_num_queries):
    from tests.suggestions.conftest import submit

    client.force_login(secretary)
    submit(writer, category, signed=False)
    with django_assert_max_num_queries(20) as few:
        client.get("/suggestions/")
    for _ in range(15):
        submit(writer, category, signed=True)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/suggestions/")
    assert response.status_code == 200


def _exif_photo(name="张三_IMG_0412.jpg"):
    exif = Image.Exif()
    exif[0x013B] = "QZARTIST Qin"  # Artist
    exif[0x010F] = "QZPHONEMAKER"  # Make
    data = io.BytesIO()
    Image.new("RGB", (1000, 750), (90, 120, 160)).save(data, "JPEG", exif=exif.tobytes())
    return SimpleUploadedFile(name, data.getvalue(), content_type="image/jpeg")


def test_a_photo_reaches_the_unit_without_its_exif_or_its_file_name(client, writer, category, handlers, market,
                                                                     head_market, secretary):
    """trial 17: the photo was served as uploaded, so the phone's EXIF (owner, model, GPS) reached the
    accused unit; and the uploaded file name ("张三_IMG…") was kept and sealed."""
    case, _code = submit(writer, category, signed=False, photos=[_exif_photo()])
    services.assign_case(case=case, actor=secretary, unit=market, days=5)
    row = case.files.get()
    assert "张三" not in row.original_name and row.original_name == "photo-1.jpg"
    client.force_login(head_market)
    response = client.get(reverse("suggestions:photo", args=[row.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    body = response.content
    assert b"QZARTIST" not in body and b"QZPHONEMAKER" not in body
    assert "张三".encode() not in body and "张三" not in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert Image.open(io.BytesIO(body)).getexif().get(0x013B) is None


def test_the_unit_sees_the_day_of_submission_not_the_minute(client, anonymous_case, secretary, market, head_market):
    """trial 17: the minute of submission, next to a login in the audit log or a door badge, points at the writer."""
    services.assign_case(case=anonymous_case, actor=secretary, unit=market, days=5)
    minute = timezone.localtime(anonymous_case.submitted_at).strftime("%Y-%m-%d %H:%M")
    day = minute[:10]
    text = _page(client, head_market, "/suggestions/%d/" % anonymous_case.pk).content.decode()
    assert day in text and minute not in text
    text = _page(client, secretary, "/suggestions/%d/" % anonymous_case.pk).content.decode()
    assert minute in text
