"""常用语: each reviewer's own list of phrases to pick instead of typing an
opinion, with a few defaults everybody has (not stored, translated)."""
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from liaison.errors import InvalidInput, NotAllowed

from ..models import Phrase

DEFAULT_PHRASES = (
    gettext_noop("同意。"),
    gettext_noop("同意，请按程序办理。"),
    gettext_noop("情况属实，同意报送。"),
    gettext_noop("请补充相关材料后再报。"),
    gettext_noop("请按修改意见修改后重新提交。"),
)
MAX_PHRASES = 30


_OWN_SQL: dict[str, str] = {}


def _own_phrases(user_id: int) -> list[str]:
    """``Phrase.objects.filter(user_id=…).values_list("text", flat=True)`` in
    its Meta order, as SQL compiled once per vendor: the review inbox shows
    the picker on every request, and building the queryset cost more than
    reading the few phrases (issue 12)."""
    sql = _OWN_SQL.get(connection.vendor)
    if sql is None:
        stand_in = -2_000_000_200  # no user has it
        sql, params = Phrase.objects.filter(user_id=stand_in).values_list("text").query.sql_with_params()
        if list(params) != [stand_in]:
            raise ValueError("the user's id must be the phrases' query's one parameter")
        sql = _OWN_SQL[connection.vendor] = sql
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id])
        return [text for (text,) in cursor.fetchall()]


def phrases_for(user) -> list[str]:
    """The user's own phrases (oldest first), then the defaults they do not
    already have. One query."""
    own = _own_phrases(user.pk) if user.is_authenticated else []
    defaults = [_(p) for p in DEFAULT_PHRASES]
    return own + [p for p in defaults if p not in own]


@transaction.atomic
def add_phrase(*, actor, text: str) -> Phrase:
    """Add a phrase to the actor's own list. Raises InvalidInput (empty,
    longer than 200 characters, already in the list, list full)."""
    text = " ".join((text or "").split())
    if not text:
        raise InvalidInput(_("请填写常用语。"))
    if len(text) > 200:
        raise InvalidInput(_("常用语不能超过 200 个字。"))
    if len(Phrase.objects.select_for_update().filter(user=actor).values_list("pk", flat=True)) >= MAX_PHRASES:
        raise InvalidInput(_("常用语最多 %(n)s 条，请先删除不用的。") % {"n": MAX_PHRASES})
    try:
        with transaction.atomic():
            return Phrase.objects.create(user=actor, text=text)
    except IntegrityError:
        raise InvalidInput(_("该常用语已在您的列表中。"))


@transaction.atomic
def delete_phrase(*, actor, phrase: Phrase) -> None:
    """Delete one of the actor's own phrases. Raises NotAllowed for another's."""
    phrase = Phrase.objects.select_for_update().get(pk=phrase.pk)
    if phrase.user_id != actor.pk:
        raise NotAllowed(_("只能删除自己的常用语。"))
    phrase.delete()
