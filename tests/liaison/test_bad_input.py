"""Bad input gets a clear Chinese error (issue 10 §5): guessable passwords,
full-width digits, undecodable bytes and NUL characters in any form."""
import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from liaison.normalize import PhoneField, ascii_text, normalize_phone
from tests.factories import PASSWORD, UserFactory


def refusal(password, user=None):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        validate_password(password, user)
    return caught.value


# --- passwords --------------------------------------------------------------------


@pytest.mark.parametrize("password", ["Liaison2024!", "LIAISON-2024-x", "L1a1son2024!xyz", "Shifan2024!!", "示范公司2024!abc"])
def test_a_password_built_from_the_product_or_organisation_name_is_refused(db, password):
    error = refusal(password)

    assert "password_contains_name" in [e.code for e in error.error_list]


def test_a_password_built_from_the_configured_organisation_name_is_refused(db, settings):
    settings.ORGANISATION_NAME = "Contoso有限公司"

    error = refusal("Contoso-2026-abc")

    assert "password_contains_name" in [e.code for e in error.error_list]


def test_a_password_built_from_the_username_is_refused(db):
    user = UserFactory(username="zhangwei", first_name="张伟")

    error = refusal("Zhangwei2024!", user)

    assert "password_contains_name" in [e.code for e in error.error_list]
    assert "zhangwei" in " ".join(error.messages)


@pytest.mark.parametrize("password", ["Qwerty2024!", "Asdf1234!xyz", "1qaz2wsx2025!", "Password2024!"])
def test_a_keyboard_run_or_word_plus_a_year_is_refused_in_chinese(db, password):
    error = refusal(password)

    assert "password_guessable" in [e.code for e in error.error_list]
    assert any(m.startswith("密码太容易被猜到") for m in error.messages)


@pytest.mark.parametrize("password", ["Another-Secret-2026", "blue-river-lantern", "Wq8#kLz2!pVn"])
def test_a_strong_password_passes(db, password):
    validate_password(password, UserFactory(username="wangwu"))


@pytest.mark.parametrize(
    "password",
    ["Short1!", "password1234", "483920175563", "Qwerty2024!", "Liaison2024!"],
)
def test_every_password_message_is_in_chinese(db, password):
    user = UserFactory(username="password1234x")

    error = refusal(password, user)

    for message in error.messages:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message
        assert not any(word in message.lower() for word in ("password", "this ", "too ", "must")), message


# --- full-width input -------------------------------------------------------------


@pytest.mark.parametrize("typed", ["13８00138000", "１３８００１３８０００", "138 0013 8000", "１３８　００１３　８０００"])
def test_full_width_phone_digits_fold_to_ascii(typed):
    assert normalize_phone(typed) == "13800138000"
    assert PhoneField().clean(typed) == "13800138000"


def test_full_width_landline_dash_folds_to_ascii():
    assert PhoneField().clean("０１０－１２３４５６７８") == "010-12345678"


def test_a_phone_with_letters_is_refused_in_chinese():
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        PhoneField().clean("1380013800O")

    assert caught.value.messages == ["电话“1380013800O”格式不正确：应为 11 位手机号，或带区号的固定电话（如 010-12345678）。"]


def test_codes_and_emails_fold_but_chinese_text_is_not_normalised_by_the_helper_callers():
    assert ascii_text("ＴＥＣＨ") == "TECH"
    assert ascii_text("ｗａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ") == "wang@example.com"
    assert ascii_text("２０２６－０３－０１") == "2026-03-01"


# --- undecodable bytes and NUL ----------------------------------------------------


@pytest.fixture
def logged_in(client, db):
    user = UserFactory(username="alice")
    client.force_login(user)
    return client


def test_invalid_utf8_in_an_urlencoded_form_is_refused_with_a_chinese_page(logged_in):
    response = logged_in.generic(
        "POST", reverse("password_change"), b"old_password=x&new_password1=\xff\xfeabc&new_password2=abc",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 400
    text = response.content.decode()
    assert "“新密码”含有无法识别的字符" in text
    assert "不是有效的 UTF-8 编码" in text


def test_invalid_utf8_in_a_query_string_is_refused(logged_in):
    response = logged_in.get(reverse("officers:directory") + "?q=%C3%28")

    assert response.status_code == 400
    assert "“检索”含有无法识别的字符" in response.content.decode()


def test_a_nul_character_says_what_is_wrong(logged_in):
    response = logged_in.post(reverse("password_change"), {"old_password": "ab\x00c", "new_password1": "x"})

    assert response.status_code == 400
    assert "“旧密码”不能包含空字符（NUL，\\x00）" in response.content.decode()


def test_a_nul_in_a_multipart_form_says_what_is_wrong(logged_in):
    response = logged_in.post(reverse("infoflow:item-create"), {"subject": "a\x00b"})  # multipart by default

    assert response.status_code == 400
    assert "“信息主题”不能包含空字符" in response.content.decode()


def test_undecodable_bytes_in_a_multipart_form_are_refused(logged_in):
    boundary = "BoUnDaRy"
    body = (
        b"--BoUnDaRy\r\nContent-Disposition: form-data; name=\"subject\"\r\n\r\n\xd6\xd0\xce\xc4\xff\r\n--BoUnDaRy--\r\n"
    )
    response = logged_in.generic(
        "POST", reverse("infoflow:item-create"), body, content_type="multipart/form-data; boundary=%s" % boundary
    )

    assert response.status_code == 400
    assert "“信息主题”含有无法识别的字符" in response.content.decode()


def test_clean_chinese_text_passes_the_check(logged_in):
    response = logged_in.post(reverse("password_change"), {"old_password": PASSWORD + "错", "new_password1": "中文（全角）"})

    assert response.status_code == 200


def test_dates_and_numbers_typed_in_full_width_read_as_ascii():
    import datetime

    from liaison.normalize import AsciiDateField, AsciiIntegerField

    assert AsciiDateField().clean("２０２６－０３－０１") == datetime.date(2026, 3, 1)
    assert AsciiIntegerField().clean("２０２６") == 2026


def test_the_password_page_lists_every_rule_without_a_blank_bullet(logged_in, settings):
    settings.PASSWORD_STRICT = False

    text = logged_in.get(reverse("password_change")).content.decode()

    assert "<li></li>" not in text
    assert "密码至少需要 12 个字符。" in text and "键盘序列、常见单词加年份" in text


def test_the_refusal_page_works_before_login(client, db):
    response = client.post("/accounts/login/", {"username": "ali\x00ce", "password": "x"})

    assert response.status_code == 400
    assert "“用户名”不能包含空字符" in response.content.decode()
