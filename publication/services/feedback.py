"""Reader feedback on a bulletin release (seed 002 §三(四)4: 收集反馈意见)."""
from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from liaison.errors import InvalidInput, NotAllowed

from ..models import Feedback, Release
from ..selectors import bulletin_releases

MAX_LENGTH = 2000


@transaction.atomic
def leave_feedback(*, actor, release: Release, text: str) -> Feedback:
    """A signed-in reader's feedback on a release shown on the bulletin.
    Raises NotAllowed (not on the bulletin, or not signed in), InvalidInput
    (empty or longer than 2000 characters)."""
    if not (actor and actor.is_authenticated and actor.is_active):
        raise NotAllowed(_("请先登录。"))
    if not bulletin_releases().filter(pk=release.pk).exists():
        raise NotAllowed(_("该信息不在公告栏上。"))
    text = (text or "").strip()
    if not text:
        raise InvalidInput(_("请填写反馈内容。"))
    if len(text) > MAX_LENGTH:
        raise InvalidInput(_("反馈内容不能超过 %(max)s 字。") % {"max": MAX_LENGTH})
    return Feedback.objects.create(release=release, author=actor, text=text)
