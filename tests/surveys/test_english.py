"""The surveys' pages read in English (the second language): with English
data, no Chinese is left on the builder, the questionnaire, the link page,
the results and the closed page (their main part: the menu is every app's)."""
import re

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from surveys import services
from surveys.models import Recipient
from tests.factories import ExternalContactFactory, UserFactory
from tests.liaison.test_i18n import chinese_on
from tests.surveys.conftest import OPENED

pytestmark = pytest.mark.django_db
SELECT = re.compile(r"<select.*?</select>", re.S)


def test_survey_pages_in_english(secretary, market, head_market, officer_market):
    secretary.first_name = "Sam Secretary"
    secretary.save()
    market.name = "Sales"
    market.save()
    person = UserFactory(username="erin", first_name="Erin", profile__unit=market)
    contact = ExternalContactFactory(name="Carl Customer", external_unit__name="Acme Ltd")
    with time_machine.travel(OPENED, tick=False):
        survey = services.create_survey(actor=secretary, title="Satisfaction", intro="Please answer.",
                                        anonymous=False)
        for kind, text, options in (("single", "Channel", ["Portal", "Mail"]), ("multiple", "Improve", ["A", "B"]),
                                    ("scale", "Timeliness", []), ("text", "Other", [])):
            services.add_question(survey=survey, actor=secretary, kind=kind, text=text, options=options,
                                  required=False)
        services.add_recipients(survey=survey, actor=secretary, users=[person], contacts=[contact])
        services.open_survey(survey=survey, actor=secretary)
    token = Recipient.objects.get(contact=contact).token
    pages, clients = {}, {}
    with time_machine.travel(OPENED, tick=False):
        for user, names in ((person, ["surveys:answer"]), (secretary, ["surveys:detail", "surveys:results",
                                                                      "surveys:links", "surveys:close"])):
            client = clients[user.username] = Client()
            client.force_login(user)
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
            for name in names:
                pages[name] = client.get(reverse(name, args=[survey.pk])).content.decode()
            pages["mine-%s" % user.username] = client.get(reverse("surveys:mine")).content.decode()
        client = clients["erin"]
        pages["submitted"] = client.post(reverse("surveys:answer", args=[survey.pk]), {}).content.decode()
        pages["again"] = client.post(reverse("surveys:answer", args=[survey.pk]), {}).content.decode()
        outside = Client()
        outside.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        pages["public"] = outside.get(reverse("surveys:public", args=[token])).content.decode()
        services.close_survey(survey=survey, actor=secretary)
        pages["closed"] = outside.get(reverse("surveys:public", args=[token])).content.decode()

    # The page's own content (the menu holds other apps' entries); pickers list the Chinese-named personas.
    left = {name: chinese_on(SELECT.sub("", html.split("<main", 1)[1].split("</main>", 1)[0]))
            for name, html in pages.items()}
    assert {name: chunks for name, chunks in left.items() if chunks} == {}
    assert "answered" in pages["surveys:results"] and "Respondent" in pages["surveys:results"]
    assert "The survey is closed" in pages["closed"]
    assert "Thank you for taking part" in pages["submitted"] and "already submitted" in pages["again"]
