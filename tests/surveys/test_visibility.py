"""Who sees what (issue 19 §2): the secretariat and the people it names see
results; nobody else sees a survey but the questionnaire they are asked to
answer — 404 in pages, lists, exports and the admin. Anonymity: no page,
export or admin page of an anonymous survey puts a respondent next to an
answer; a named survey's results name them."""
import io
import re

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory
from django.urls import reverse
from openpyxl import load_workbook

from liaison.models import AuditEntry
from surveys import services
from surveys.models import Recipient, Response, Survey
from tests.surveys.conftest import answer

pytestmark = pytest.mark.django_db

SELECT = re.compile(r"<select.*?</select>", re.S)
BUILDER_PAGES = ["surveys:detail", "surveys:close", "surveys:links"]
RESULT_PAGES = ["surveys:results", "surveys:export"]


def _get(client, user, name, survey):
    client.force_login(user)
    return client.get(reverse(name, args=[survey.pk]))


@pytest.mark.parametrize("role", ["head_market", "officer_market", "employee", "auditor", "gm", "leader",
                                  "outsider", "legal"])
def test_others_get_404_on_every_survey_page(client, request, open_survey, role):
    user = request.getfixturevalue(role)

    for name in BUILDER_PAGES + RESULT_PAGES:
        assert _get(client, user, name, open_survey).status_code == 404, name
    page = client.get(reverse("surveys:list"))
    assert open_survey.title not in page.content.decode()


def test_a_named_reader_sees_results_but_not_the_builder(client, open_survey, secretary, leader):
    services.set_viewers(survey=open_survey, actor=secretary, users=[leader])

    assert _get(client, leader, "surveys:results", open_survey).status_code == 200
    assert _get(client, leader, "surveys:export", open_survey).status_code == 200
    assert _get(client, leader, "surveys:detail", open_survey).status_code == 302  # to the results
    assert _get(client, leader, "surveys:links", open_survey).status_code == 404
    assert _get(client, leader, "surveys:close", open_survey).status_code == 404
    assert open_survey.title in client.get(reverse("surveys:list")).content.decode()


def test_a_reader_cannot_change_anything(open_survey, leader, secretary):
    from surveys.errors import SurveyNotAllowed

    services.set_viewers(survey=open_survey, actor=secretary, users=[leader])

    with pytest.raises(SurveyNotAllowed):
        services.close_survey(survey=open_survey, actor=leader)
    with pytest.raises(SurveyNotAllowed):
        services.add_recipients(survey=open_survey, actor=leader, users=[leader])


def test_the_secretariat_sees_counts_charts_and_averages(client, open_survey, respondent, employee, secretary):
    answer(open_survey, respondent, score=5, single=0)
    answer(open_survey, employee, score=2, single=1, multiple=(0, 2))

    page = _get(client, secretary, "surveys:results", open_survey).content.decode()

    assert "平均分 3.50 / 5" in page
    assert "<svg" in page and "门户通知" in page
    assert "QZFREETEXT" in page  # free text listed
    assert "50.0%" in page


def _names(respondent, contact):
    return [respondent.first_name, respondent.username, contact.name]


def test_anonymous_results_export_and_admin_name_nobody(client, open_survey, respondent, contact, secretary):
    answer(open_survey, respondent)
    answer(open_survey, contact=contact)

    pages = [_get(client, secretary, name, open_survey) for name in ("surveys:results", "surveys:detail")]
    book = load_workbook(io.BytesIO(_get(client, secretary, "surveys:export", open_survey).content))
    cells = " ".join(str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value)
    admin = client.get(reverse("admin:surveys_survey_change", args=[open_survey.pk]))
    history = client.get(reverse("admin:surveys_survey_history", args=[open_survey.pk]))

    assert admin.status_code == history.status_code == 200
    # Pickers (<select>) list every member of staff, answered or not: they tell nothing.
    texts = [SELECT.sub("", p.content.decode()) for p in (*pages, admin, history)]
    for text in texts + [cells]:
        for name in _names(respondent, contact):
            assert name not in text
    assert "QZFREETEXT" in cells
    # Nothing stored on a response points at a person or a time finer than the day.
    assert set(Response.objects.values_list("recipient", flat=True)) == {None}
    assert set(Response.objects.values_list("submitted_at", flat=True)) == {None}
    assert set(Response.objects.values_list("submitted_on", flat=True)) == {None}
    assert not hasattr(Response, "history")


def test_the_links_page_of_an_anonymous_survey_does_not_tell_who_answered(client, open_survey, contact,
                                                                         secretary):
    answer(open_survey, contact=contact)

    page = _get(client, secretary, "surveys:links", open_survey).content.decode()

    assert contact.name in page and "已填写" not in page and "未填写" not in page
    assert Recipient.objects.get(contact=contact).token in page


def test_a_named_survey_names_its_respondents_in_results_and_export(client, named_survey, respondent, contact,
                                                                    secretary):
    answer(named_survey, respondent)
    answer(named_survey, contact=contact)

    page = _get(client, secretary, "surveys:results", named_survey).content.decode()
    export = _get(client, secretary, "surveys:export", named_survey)
    book = load_workbook(io.BytesIO(export.content))
    cells = " ".join(str(c.value) for row in book["答卷"].iter_rows() for c in row if c.value)

    assert respondent.first_name in page and contact.name in page
    assert respondent.first_name in cells and contact.name in cells
    assert book["汇总"].oddHeader.right.text.startswith("导出人：")
    assert AuditEntry.objects.filter(action="export", user=secretary).count() == 1


def test_admin_lists_only_visible_surveys(open_survey, secretary, leader, auditor):
    admin = site._registry[Survey]
    other = Survey.objects.create(title="另一份", created_by=secretary)
    services.set_viewers(survey=other, actor=secretary, users=[leader])

    def listed(user):
        request = RequestFactory().get("/admin/")
        request.user = user
        return set(admin.get_queryset(request).values_list("title", flat=True))

    assert listed(secretary) == {open_survey.title, "另一份"}
    assert listed(leader) == {"另一份"}
    assert listed(auditor) == set()


def test_admin_change_page_of_an_invisible_survey_is_404(client, open_survey, auditor):
    auditor.is_staff = True
    auditor.save()
    client.force_login(auditor)

    for name in ("admin:surveys_survey_change", "admin:surveys_survey_history"):
        assert client.get(reverse(name, args=[open_survey.pk])).status_code in (302, 403, 404)
        assert open_survey.title not in client.get(reverse(name, args=[open_survey.pk])).content.decode()


def test_naming_readers_leaves_a_history_row_naming_the_actor(open_survey, secretary, leader):
    services.set_viewers(survey=open_survey, actor=secretary, users=[leader])

    row = open_survey.history.filter(history_change_reason="viewers").latest("history_date")
    assert row.history_user == secretary
    assert list(row.viewers.values_list("user_id", flat=True)) == [leader.pk]
