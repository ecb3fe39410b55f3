"""Password rules beyond Django's.

CharacterClassesValidator: 等保 2.0 character classes (setting).
GuessableValidator (issue 10 §5): refuses passwords built from what an
attacker tries first against this portal — the product's name, the
organisation's name (and the demo's pinyin), the user's own name and user
name — and passwords a strength estimator guesses quickly (a keyboard run or
a word plus a year: ``Liaison2024!``, ``Qwerty2024!``, ``Asdf1234!``). The
estimate is zxcvbn (Dropbox's estimator, the maintained ``zxcvbn`` package),
given those names as user inputs; its English feedback is replaced by a
Chinese message naming what made the password guessable.
"""
import re

from django.conf import settings
from django.contrib.auth import password_validation as django_validators
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from zxcvbn import zxcvbn

# What the product and the demo organisation are called, in the forms people
# type them: the product, its Chinese name and the demo's name in pinyin.
PRODUCT_WORDS = ("liaison", "lianluoyuan", "联络员", "shifan", "示范")
MIN_WORD = 3  # shorter parts of a name (王, li) would refuse half of all passwords
# zxcvbn's scale: 0–2 fall to an online or a fast offline attack.
MIN_SCORE = 3


# Django's own validators, with messages in the project's catalogue: Django
# 5.2 changed the too-short msgid and its Chinese catalogue still has the old
# one, so the message came out in English on a Chinese page.


class MinimumLengthValidator(django_validators.MinimumLengthValidator):
    def get_error_message(self):
        return _("密码太短：至少需要 %(min_length)s 个字符。") % {"min_length": self.min_length}

    def get_help_text(self):
        return _("密码至少需要 %(min_length)s 个字符。") % {"min_length": self.min_length}


class UserAttributeSimilarityValidator(django_validators.UserAttributeSimilarityValidator):
    def get_error_message(self):
        return _("密码与您的%(verbose_name)s过于相似。")

    def get_help_text(self):
        return _("密码不能与您的用户名、姓名、邮箱等个人信息相似。")


class CommonPasswordValidator(django_validators.CommonPasswordValidator):
    def get_error_message(self):
        return _("这是一个常用密码，很容易被猜到。")

    def get_help_text(self):
        return _("密码不能是常用密码。")


class NumericPasswordValidator(django_validators.NumericPasswordValidator):
    def get_error_message(self):
        return _("密码不能全部是数字。")

    def get_help_text(self):
        return _("密码不能全部是数字。")


class CharacterClassesValidator:
    """With settings.PASSWORD_STRICT, require three of: lower case, upper case,
    digits, other characters."""

    classes = (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^a-zA-Z0-9]")

    def validate(self, password, user=None):
        if not settings.PASSWORD_STRICT:
            return
        present = sum(1 for pattern in self.classes if re.search(pattern, password))
        if present < 3:
            raise ValidationError(
                _("密码须包含大写字母、小写字母、数字、符号中的至少三类。"), code="password_too_simple"
            )

    def get_help_text(self):
        if settings.PASSWORD_STRICT:
            return _("密码须包含大写字母、小写字母、数字、符号中的至少三类。")
        # Django lists every validator's help text; an empty one left a blank bullet.
        return _("建议混合使用大小写字母、数字和符号。")


def _words_of(user):
    """The names an attacker would try for ``user``: the product's, the
    organisation's, the user name and the person's names."""
    words = list(PRODUCT_WORDS)
    organisation = getattr(settings, "ORGANISATION_NAME", "") or ""
    words.append(organisation)
    # The distinctive part of an organisation's name, without 有限公司 and the like.
    words.append(re.sub(r"(股份)?有限(责任)?公司|集团|公司|委员会|办公室|局|厅|中心$", "", organisation))
    if user is not None:
        for attribute in ("username", "first_name", "last_name", "email"):
            value = getattr(user, attribute, "") or ""
            if attribute == "email":
                value = value.split("@")[0]
            words.append(value)
    cleaned = []
    for word in words:
        word = word.strip().lower()
        if len(word) >= MIN_WORD or (word and not word.isascii() and len(word) >= 2):
            if word not in cleaned:
                cleaned.append(word)
    return cleaned


_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"})


class GuessableValidator:
    """Refuse a password that contains the product's, the organisation's or
    the user's name, or that zxcvbn scores below MIN_SCORE."""

    def validate(self, password, user=None):
        words = _words_of(user)
        lowered = password.lower()
        unleet = lowered.translate(_LEET)
        for word in words:
            if word in lowered or word in unleet:
                raise ValidationError(
                    _("密码不能包含本系统、本单位的名称或您的用户名、姓名（如“%(word)s”），这些是攻击者最先尝试的内容。"),
                    code="password_contains_name",
                    params={"word": word},
                )
        # zxcvbn's cost grows with the length; what is beyond 100 characters adds nothing here.
        result = zxcvbn(password[:100], user_inputs=words)
        if result["score"] >= MIN_SCORE:
            return
        raise ValidationError(self._message(result), code="password_guessable")

    @staticmethod
    def _message(result):
        patterns = {match.get("pattern") for match in result.get("sequence", ())}
        reasons = []
        if "spatial" in patterns:
            reasons.append(_("键盘上相邻的按键（如 qwerty、asdf、1qaz）"))
        if "dictionary" in patterns:
            reasons.append(_("常见单词或常用密码"))
        if "sequence" in patterns:
            reasons.append(_("连续的字母或数字（如 abcd、1234）"))
        if "repeat" in patterns:
            reasons.append(_("重复的字符"))
        if "date" in patterns or re.search(r"(19|20)\d\d", "".join(m.get("token", "") for m in result.get("sequence", ()))):
            reasons.append(_("年份或日期"))
        if reasons:
            return _("密码太容易被猜到：它由%(reasons)s组成。请改用几个不相关的词语或一段随机字符。") % {
                "reasons": "、".join(reasons)
            }
        return _("密码太容易被猜到。请改用几个不相关的词语或一段随机字符。")

    def get_help_text(self):
        return _("密码不能包含本系统、本单位的名称或您的用户名、姓名，也不能是键盘序列、常见单词加年份这类容易被猜到的组合。")
