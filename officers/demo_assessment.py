"""Demo data of the yearly assessment (seed_demo): this year's assessment,
computed from the demo's records (the demo's items, data calls, meetings and
trainings are this year's), hand-scored, one adjustment, published — a
finished assessment with its ranking and award. Idempotent: a year that
already has a period is left as it is."""
from django.contrib.auth import get_user_model
from django.utils import timezone

from .assessment import (adjust_score, compute_period, enter_hand_score, open_period, publish_period,
                         set_weights)
from .assessment_models import AssessmentPeriod

DEMO_TARGETS = {"items": 4, "training": 4}
# ... and weighed review timeliness and meeting attendance a little more (100 points in all).
DEMO_WEIGHTS = {"items": 25, "datacalls": 15, "reviews": 15, "meetings": 15, "training": 5,
                "attitude": 10, "network": 10, "dues": 5}

# username → (attitude, network, dues, comment)
HAND_SCORES = {
    "officer_market": ("9", "8", "5", "报送及时，主动收集市场信息，联络网络健全。"),
    "officer_prod": ("8", "7", "5", "工作认真，生产信息报送规范。"),
}


def seed() -> int:
    year = timezone.localdate().year
    User = get_user_model()
    hr = User.objects.filter(username="secretary").first()
    if hr is None or AssessmentPeriod.objects.filter(year=year).exists():
        return 0
    period = open_period(actor=hr, year=year)
    # The demo organisation is small: its HR set yearly targets to match (a few items and one
    # training day an officer), so the ranking spreads as a real year's would and most pass.
    period.criteria.filter(code="items").update(target=DEMO_TARGETS["items"])
    period.criteria.filter(code="training").update(target=DEMO_TARGETS["training"])
    set_weights(actor=hr, period=period, weights=DEMO_WEIGHTS)
    results = compute_period(actor=hr, period=period)
    criteria = {c.code: c for c in period.criteria.all()}
    for result in results:
        attitude, network, dues, comment = HAND_SCORES.get(result.user.username, ("7", "6", "5", "完成本职工作。"))
        for code, score in (("attitude", attitude), ("network", network), ("dues", dues)):
            enter_hand_score(actor=hr, result=result, criterion=criteria[code], score=score, comment=comment)
    market = next((r for r in period.results.all() if r.user.username == "officer_market"), None)
    if market is not None:
        adjust_score(actor=hr, result=market, points="2", reason="协助组织年度客户回访，加 2 分。")
    publish_period(actor=hr, period=period)
    return 1 + period.criteria.count() + period.results.count()
