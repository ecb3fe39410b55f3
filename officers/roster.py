"""The officer roster's Excel columns, in one place: the import
(officers/importer.py) reads them and the roster export (issue 7) writes
them, so an exported roster imports again unchanged."""
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class RosterColumn:
    key: str  # attribute name on an import row
    header: str  # the exact header text in row 1 (Chinese: the sheet HR already keeps)
    required: bool
    example: object  # the template's example row (a date column gets a real date)
    width: int  # column width in the template / export


# Header texts are data in the sheet, not UI strings: they stay Chinese in
# every language so a file round-trips whatever the user's language.
ROSTER_COLUMNS = (
    RosterColumn("unit", "单位", True, "市场部", 16),
    RosterColumn("name", "姓名", True, "张三", 12),
    RosterColumn("username", "用户名", True, "zhangsan", 16),
    RosterColumn("phone", "电话", True, "13812345678", 16),
    RosterColumn("email", "邮箱", False, "zhangsan@example.com", 26),
    RosterColumn("role", "角色", True, "主联络员", 12),
    RosterColumn("appointed_on", "任命日期", True, None, 14),  # example: today, as a real date
)

ROSTER_HEADERS = tuple(column.header for column in ROSTER_COLUMNS)

# 角色 column values ↔ Officer.is_primary.
ROLE_PRIMARY = "主联络员"
ROLE_DEPUTY = "副联络员"
ROLE_VALUES = {ROLE_PRIMARY: True, ROLE_DEPUTY: False}


def role_label(is_primary: bool) -> str:
    return ROLE_PRIMARY if is_primary else ROLE_DEPUTY


def officer_row(officer) -> tuple:
    """One roster row for an officer, in ROSTER_COLUMNS order (for the export)."""
    user = officer.user
    return (
        officer.unit.name,
        user.get_full_name() or user.username,
        user.username,
        officer.phone,
        officer.email,
        role_label(officer.is_primary),
        officer.appointed_on,
    )


SHEET_TITLE = _("联络员名录")
