"""Roster import from the Excel sheet HR already keeps (columns in
officers/roster.py).

Two steps: ``read_roster`` checks every row and answers a preview with the
errors of each row in Chinese, changing nothing; ``import_roster`` checks the
same file again inside one transaction and imports it only if no row has an
error, so a bad row never half-imports the file.

Between the two steps the upload is kept as a file under
``settings.DATA_DIR/imports`` with a random name (``stage_upload``); only that
name goes into the user's session, and the confirm step accepts only the name
stored in its own session, so nobody can import another user's upload or a
path of their choosing. Files are deleted after the import and anything older
than a day is swept away at the next upload.
"""
import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from io import BytesIO
from pathlib import Path

import openpyxl
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel

from liaison import audit
from liaison.errors import RosterImportError
from liaison.models import AuditEntry
from liaison.normalize import ascii_text, is_valid_phone, normalize_phone

from . import services
from .models import Officer, OrgUnit, StaffProfile
from .roster import ROLE_DEPUTY, ROLE_PRIMARY, ROLE_VALUES, ROSTER_COLUMNS, SHEET_TITLE

MAX_ROWS = 1000
MAX_BYTES = 5 * 1024 * 1024
STAGE_MAX_AGE_SECONDS = 24 * 3600
TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")

# Dates are matched after ascii_text (full-width digits folded), in ASCII digits only.
DATE_TEXT_RE = re.compile(r"^(\d{4})\s*(?:-|/|\.|年)\s*(\d{1,2})\s*(?:-|/|\.|月)\s*(\d{1,2})\s*日?$", re.ASCII)


@dataclass
class RosterRow:
    number: int  # the row number in Excel
    raw: dict  # header key → the cell as text, for the preview
    unit: OrgUnit | None = None
    name: str = ""
    username: str = ""
    phone: str = ""
    email: str = ""
    is_primary: bool | None = None
    appointed_on: date | None = None
    existing_user: object = None
    errors: list = field(default_factory=list)


@dataclass
class RosterPreview:
    rows: list = field(default_factory=list)
    file_errors: list = field(default_factory=list)

    @property
    def error_count(self) -> int:
        return len(self.file_errors) + sum(len(row.errors) for row in self.rows)

    @property
    def ok(self) -> bool:
        return bool(self.rows) and self.error_count == 0


@dataclass
class RosterResult:
    officers: list
    created_users: list


# --- reading ------------------------------------------------------------------


def _open_workbook(source):
    try:
        if isinstance(source, (bytes, bytearray)):
            source = BytesIO(source)
        return openpyxl.load_workbook(source, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds (BadZipFile, KeyError, InvalidFileException…)
        raise RosterImportError(_("文件不是有效的 Excel (.xlsx) 文件。")) from None


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone number typed into a number cell
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d") if value.time() == datetime.min.time() else value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    return str(value).strip()


def parse_date(value) -> date | None:
    """A real Excel date, or text as 2026-03-01, 2026/3/1 or 2026年3月1日."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # A date cell whose number format was lost: Excel's day serial.
        if 32874 <= value <= 73051:  # 1990-01-01 … 2099-12-31
            return from_excel(value).date()
        return None
    match = DATE_TEXT_RE.match(ascii_text(_text(value)))
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def _find_unit(value, units_by_code, units_by_name):
    # A code may be typed in full width (ＴＥＣＨ); a name is matched as written.
    code = ascii_text(value)
    unit = units_by_code.get(code) or units_by_code.get(code.lower())
    if unit is not None:
        return unit, None
    matches = units_by_name.get(value, [])
    if len(matches) == 1:
        return matches[0], None
    if len(matches) > 1:
        return None, _("单位名称“%(value)s”对应多个单位，请改填单位编码。") % {"value": value}
    return None, _("单位“%(value)s”不存在（请填写单位名称或编码）。") % {"value": value}


def read_roster(source, *, replace=False) -> RosterPreview:
    """Check a roster file (a path, a file object or bytes) and answer the
    preview; changes nothing. ``replace``: a primary officer in the file
    replaces the unit's current one instead of being an error."""
    preview = RosterPreview()
    workbook = _open_workbook(source)
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None) or ()
        positions = {}
        for index, cell in enumerate(header):
            text = _text(cell)
            if text and text not in positions:
                positions[text] = index
        missing = [column.header for column in ROSTER_COLUMNS if column.header not in positions]
        if missing:
            preview.file_errors.append(
                _("缺少列：%(columns)s。请下载模板，按模板的表头填写。") % {"columns": "、".join(missing)}
            )
            return preview
        for number, values in enumerate(rows, start=2):
            if values is None or all(v is None or _text(v) == "" for v in values):
                continue
            if len(preview.rows) >= MAX_ROWS:
                preview.file_errors.append(_("文件行数过多：一次最多导入 %(max)s 行。") % {"max": MAX_ROWS})
                return preview
            cells = {}
            for column in ROSTER_COLUMNS:
                index = positions[column.header]
                cells[column.key] = values[index] if index < len(values) else None
            preview.rows.append(_check_cells(number, cells))
    finally:
        workbook.close()
    if not preview.rows and not preview.file_errors:
        preview.file_errors.append(_("文件中没有数据行。"))
    _check_across_rows(preview.rows, replace=replace)
    return preview


def _check_cells(number, cells) -> RosterRow:
    """Checks that need only the row itself."""
    row = RosterRow(number=number, raw={key: _text(value) for key, value in cells.items()})
    for column in ROSTER_COLUMNS:
        if column.required and row.raw[column.key] == "":
            row.errors.append(_("缺少必填项：%(column)s。") % {"column": column.header})

    row.name = row.raw["name"]
    row.username = ascii_text(row.raw["username"])
    if row.username:
        try:
            UnicodeUsernameValidator()(row.username)
            if len(row.username) > 150:
                raise ValidationError("too long")
        except ValidationError:
            row.errors.append(
                _("用户名“%(value)s”无效：只能使用字母、数字和 @ . + - _，最长 150 个字符。") % {"value": row.username}
            )
    # Folded before the check: 13８00138000 and １３８００１３８０００ are both 13800138000.
    row.phone = normalize_phone(row.raw["phone"])
    if row.phone and not is_valid_phone(row.phone):
        row.errors.append(
            _("电话“%(value)s”格式不正确：应为 11 位手机号，或带区号的固定电话（如 010-12345678）。")
            % {"value": row.raw["phone"]}
        )
    row.email = ascii_text(row.raw["email"])
    if row.email:
        try:
            validate_email(row.email)
        except ValidationError:
            row.errors.append(_("邮箱“%(value)s”格式不正确。") % {"value": row.email})
    if row.raw["role"]:
        row.is_primary = ROLE_VALUES.get(row.raw["role"])
        if row.is_primary is None:
            row.errors.append(
                _("角色“%(value)s”无效：应为“%(primary)s”或“%(deputy)s”。")
                % {"value": row.raw["role"], "primary": ROLE_PRIMARY, "deputy": ROLE_DEPUTY}
            )
    if row.raw["appointed_on"]:
        row.appointed_on = parse_date(cells["appointed_on"])
        if row.appointed_on is None:
            row.errors.append(
                _("任命日期“%(value)s”无法识别：请使用 Excel 日期，或 2026-03-01、2026/3/1、2026年3月1日 格式。")
                % {"value": row.raw["appointed_on"]}
            )
    return row


def _check_across_rows(rows, *, replace):
    """Checks against the database and between rows, in a fixed number of queries."""
    User = get_user_model()
    unit_values = {row.raw["unit"] for row in rows if row.raw["unit"]}
    units = list(
        OrgUnit.objects.filter(is_active=True).filter(
            Q(code__in={ascii_text(v) for v in unit_values})
            | Q(code__in={ascii_text(v).lower() for v in unit_values})
            | Q(name__in=unit_values)
        )
    )
    units_by_code = {unit.code: unit for unit in units}
    units_by_name = {}
    for unit in units:
        units_by_name.setdefault(unit.name, []).append(unit)
    for row in rows:
        if row.raw["unit"]:
            row.unit, error = _find_unit(row.raw["unit"], units_by_code, units_by_name)
            if error:
                row.errors.append(error)

    usernames = {row.username for row in rows if row.username}
    users = {user.username: user for user in User.objects.filter(username__in=usernames)}
    active = list(
        Officer.objects.filter(status=Officer.Status.ACTIVE, unit__in=[r.unit for r in rows if r.unit])
        .select_related("user", "unit")
    )
    active_posts = {(o.unit_id, o.user.username) for o in active}
    active_primary = {o.unit_id: o for o in active if o.is_primary}

    first_row_of_user = {}
    primary_rows = {}
    for row in rows:
        if row.username:
            if row.username in first_row_of_user:
                row.errors.append(
                    _("用户名“%(username)s”在文件中重复（第 %(row)s 行已出现）。")
                    % {"username": row.username, "row": first_row_of_user[row.username]}
                )
            else:
                first_row_of_user[row.username] = row.number
            row.existing_user = users.get(row.username)
            user = row.existing_user
            if user is not None:
                full_name = user.get_full_name()
                if row.name and full_name and full_name != row.name:
                    row.errors.append(
                        _("用户名“%(username)s”已存在，姓名为“%(actual)s”，与文件中的“%(name)s”不一致。")
                        % {"username": row.username, "actual": full_name, "name": row.name}
                    )
                if not user.is_active:
                    row.errors.append(_("用户“%(username)s”已停用。") % {"username": row.username})
        if row.unit is None:
            continue
        if row.username and (row.unit.pk, row.username) in active_posts:
            row.errors.append(
                _("%(name)s 已是%(unit)s的在岗联络员。") % {"name": row.name or row.username, "unit": row.unit.name}
            )
        if row.is_primary:
            if row.unit.pk in primary_rows:
                row.errors.append(
                    _("%(unit)s 在文件中有两个主联络员（第 %(first)s 行和第 %(row)s 行）。")
                    % {"unit": row.unit.name, "first": primary_rows[row.unit.pk], "row": row.number}
                )
            else:
                primary_rows[row.unit.pk] = row.number
            current = active_primary.get(row.unit.pk)
            if current is not None and not replace and current.user.username != row.username:
                row.errors.append(
                    _("%(unit)s 已有在岗主联络员 %(name)s；如以文件为准更换，请勾选“替换现任主联络员”。")
                    % {"unit": row.unit.name, "name": current.user.get_full_name() or current.user.username}
                )


# --- importing ----------------------------------------------------------------


@transaction.atomic
def import_roster(*, source, actor, replace=False, filename="") -> RosterResult:
    """Import a roster file: create missing users (no usable password; HR sets
    one in the admin) with their unit, and appoint every row through
    officers.services.appoint_officer. All or nothing: the file is checked
    again here and any error raises RosterImportError before anything is
    written; an error while writing rolls everything back. Writes an audit row."""
    if actor is not None and not actor.has_perm("officers.add_officer"):
        raise PermissionDenied
    preview = read_roster(source, replace=replace)
    if not preview.ok:
        raise RosterImportError(
            _("文件有 %(count)s 处错误，未导入任何数据。请改正后重新上传。") % {"count": preview.error_count}
        )
    User = get_user_model()
    created_users = []
    officers = []
    # Unit order: appointments lock their unit, so two imports lock in the same order.
    for row in sorted(preview.rows, key=lambda r: (r.unit.pk, not r.is_primary, r.number)):
        user = row.existing_user
        if user is None:
            user = User(username=row.username, first_name=row.name, email=row.email)
            user.set_unusable_password()
            user.save()
            created_users.append(user)
        profile, _created = StaffProfile.objects.get_or_create(user=user, defaults={"unit": row.unit, "phone": row.phone})
        if profile.unit_id is None:
            profile.unit = row.unit
            profile._history_user = actor
            profile.save(update_fields=["unit"])
        officers.append(
            services.appoint_officer(
                user=user,
                unit=row.unit,
                actor=actor,
                phone=row.phone,
                email=row.email,
                is_primary=row.is_primary,
                appointed_on=row.appointed_on,
                replace=replace,
            )
        )
    audit.record(
        AuditEntry.Action.IMPORT,
        user=actor,
        detail=_("导入联络员名录 %(file)s：%(officers)s 名联络员，新建用户 %(users)s 个。")
        % {"file": filename or "-", "officers": len(officers), "users": len(created_users)},
    )
    return RosterResult(officers=officers, created_users=created_users)


# --- the template -------------------------------------------------------------


def template_workbook() -> bytes:
    """The roster template: the headers and one example row."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = str(SHEET_TITLE)
    sheet.append([column.header for column in ROSTER_COLUMNS])
    example_unit = OrgUnit.objects.filter(is_active=True).order_by("sort_order", "code").first()
    example = []
    for column in ROSTER_COLUMNS:
        if column.key == "unit" and example_unit is not None:
            example.append(example_unit.name)
        elif column.key == "appointed_on":
            example.append(timezone.localdate())
        else:
            example.append(column.example)
    sheet.append(example)
    for index, column in enumerate(ROSTER_COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = column.width
        sheet[f"{letter}1"].font = Font(bold=True)
        if column.key == "appointed_on":
            sheet[f"{letter}2"].number_format = "yyyy-mm-dd"
        else:
            # Text cells: a phone number keeps its leading zero, nothing is a formula.
            sheet[f"{letter}2"].number_format = "@"
    sheet.freeze_panes = "A2"
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- keeping the upload between preview and confirm ---------------------------


def _stage_dir() -> Path:
    path = Path(settings.DATA_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def stage_upload(uploaded) -> str:
    """Store an uploaded file under a random name; answer the name (token)."""
    if uploaded.size > MAX_BYTES:
        raise RosterImportError(_("文件过大：最大 %(mb)s MB。") % {"mb": MAX_BYTES // (1024 * 1024)})
    directory = _stage_dir()
    cutoff = time.time() - STAGE_MAX_AGE_SECONDS
    for old in directory.glob("*.xlsx"):
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink()
        except FileNotFoundError:
            pass
    token = secrets.token_hex(16)
    path = directory / f"{token}.xlsx"
    with open(path, "xb") as out:
        path.chmod(0o600)
        for chunk in uploaded.chunks():
            out.write(chunk)
    return token


def staged_path(token) -> Path:
    """The staged file for a token; RosterImportError if the token is not one
    of ours or the file is gone."""
    if not isinstance(token, str) or not TOKEN_RE.match(token):
        raise RosterImportError(_("上传的文件已失效，请重新上传。"))
    path = _stage_dir() / f"{token}.xlsx"
    if not path.exists():
        raise RosterImportError(_("上传的文件已失效，请重新上传。"))
    return path


def discard_upload(token) -> None:
    if isinstance(token, str) and TOKEN_RE.match(token):
        (_stage_dir() / f"{token}.xlsx").unlink(missing_ok=True)
