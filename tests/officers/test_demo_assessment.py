"""seed_demo's finished assessment (issue 14, item 8): a ranking where the
demo's officers mostly pass, so the demo holds exactly one officer flagged
for replacement (by the meeting-absence rule), as the issue asks."""
import pytest
import time_machine
from django.core.management import call_command

from officers.assessment_models import AssessmentPeriod
from officers.models import ReplacementFlag

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("moment", ["2026-11-29 08:00+08:00", "2026-12-31 16:30+08:00"])
def test_the_demo_assessment_is_published_and_one_officer_is_flagged(moment, settings):
    settings.DEBUG = True
    with time_machine.travel(moment, tick=False):
        call_command("seed_demo", stdout=open("/dev/null", "w"))

    period = AssessmentPeriod.objects.get()
    results = list(period.results.order_by("rank"))
    assert len(results) >= 5 and results[0].user.username == "officer_market"
    assert sum(1 for r in results if r.passed) >= len(results) - 1
    flagged = {flag.officer_id for flag in ReplacementFlag.objects.all()}
    assert len(flagged) == 1
