"""Destructive actions of data calls and officers' work ask first: stopping a
call series, cancelling a meeting and publishing the assessment show what
they do and a confirming button behind their first button (no JavaScript)."""
import re

import pytest
from django.template.loader import render_to_string

pytestmark = pytest.mark.django_db

CASES = [
    ("templates/datacalls/series.html", "停止", "确认停止", "停止后不再生成新的报送期次"),
    ("templates/officers/meetings/detail.html", "取消会议", "确认取消会议", "取消后不能恢复"),
    ("templates/officers/assessment/period.html", "发布结果", "确认发布", "未达合格线的联络员将被提议更换"),
]


@pytest.mark.parametrize("path, first, confirm, explanation", CASES)
def test_the_action_is_behind_a_confirm_step(path, first, confirm, explanation):
    text = open(path, encoding="utf-8").read()
    step = re.search(r'<details class="confirm-step"><summary[^>]*>\{% trans "' + first + r'" %\}</summary>(.*?)</details>',
                     text, re.S)
    assert step, path
    inner = step.group(1)
    assert 'method="post"' in inner and confirm in inner and explanation in inner
    # the only form posting to this action is the one inside the step
    action = re.search(r'action="(\{% url [^%]+%\})"', inner).group(1)
    assert text.count(action) == 1
