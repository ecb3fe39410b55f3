"""The roster import folds full-width digits and punctuation before checking
(issue 10 §5): a phone, a date, a unit code or an e-mail typed with a Chinese
input method reads as its ASCII form."""
from datetime import date

import pytest

from officers.importer import read_roster
from tests.officers.test_importer import errors_of, xlsx


@pytest.mark.parametrize("typed", ["13８00138000", "１３８００１３８０００", "１３８ ００１３ ８０００"])
def test_a_phone_in_full_width_digits_reads_as_ascii(market, typed):
    preview = read_roster(xlsx(("市场部", "李雷", "lilei", typed, "", "主联络员", "2026-03-02")))

    assert preview.ok, errors_of(preview)
    assert preview.rows[0].phone == "13800138000"


def test_a_full_width_landline_date_code_and_email_read_as_ascii(market):
    preview = read_roster(xlsx(
        ("ｍａｒｋｅｔ", "李雷", "ｌｉｌｅｉ", "０１０－１２３４５６７８", "ｌｉｌｅｉ＠ｅｘａｍｐｌｅ．ｃｏｍ", "主联络员", "２０２６－０３－０２"),
    ))

    assert preview.ok, errors_of(preview)
    row = preview.rows[0]
    assert (row.unit, row.username, row.phone, row.email, row.appointed_on) == (
        market, "lilei", "010-12345678", "lilei@example.com", date(2026, 3, 2)
    )


def test_a_phone_with_a_non_digit_is_still_refused(market):
    preview = read_roster(xlsx(("市场部", "李雷", "lilei", "1380013800Ｏ", "", "主联络员", "2026-03-02")))

    assert errors_of(preview) == {2: ["电话“1380013800Ｏ”格式不正确：应为 11 位手机号，或带区号的固定电话（如 010-12345678）。"]}
