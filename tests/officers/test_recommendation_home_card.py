"""The 联络员推荐 home card's two numbers, now one aggregate (issue 12):
open recommendations to decide (not one's own) and those of the user's
units, counted as the rows are."""
import pytest
import time_machine

from officers.models import Recommendation
from officers.templatetags.recommendation_tags import recommendation_home_counts
from tests.officers.test_recommendations import NOW, candidate, recommend  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


class _Request:
    def __init__(self, user):
        self.user = user


def card(user):
    return recommendation_home_counts({"request": _Request(user)})


def test_to_decide_and_open_mine_count_the_open_recommendations(head_market, officer_prod, secretary, market,
                                                                  candidate):  # noqa: F811
    assert card(secretary)["to_decide"] == 0 and card(head_market)["open_mine"] == 0
    with time_machine.travel(NOW, tick=False):
        recommendation = recommend(head_market, market, candidate)

    assert card(secretary)["to_decide"] == 1
    assert card(head_market) == {"to_decide": 0, "open_mine": 1, "may_recommend": True}
    assert card(officer_prod)["open_mine"] == 0  # another unit's

    Recommendation.objects.filter(pk=recommendation.pk).update(state=Recommendation.State.REJECTED)
    assert card(secretary)["to_decide"] == 0 and card(head_market)["open_mine"] == 0
