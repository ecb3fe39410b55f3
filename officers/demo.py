"""The demo organisation (README "Demo accounts"), loaded by ``manage.py seed_demo``.

``seed()`` creates what is missing and leaves what exists alone: every row is
found by its natural key (username, unit code, duty code, external unit
name…), so a second run creates nothing, writes no history row, and does not
undo what someone changed in the demo since.
"""
import os
from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from liaison.calendar_data import fill_from_chinesecalendar
from liaison.workdays import add_working_days

from .models import (
    ChangeFiling,
    Duty,
    ExternalContact,
    ExternalUnit,
    Officer,
    OfficerDuty,
    OrgUnit,
    Registration,
    RoleAssignment,
    StaffProfile,
)
from .services import assign_role

Role = RoleAssignment.Role

DEFAULT_PASSWORD = "demo12345"

# username, name, title, unit code, phone, roles (contract: demo accounts).
ACCOUNTS = [
    ("admin", "系统管理员", "系统管理员", "office", "0512-66880000", []),
    ("secretary", "周敏", "秘书处秘书", "office", "13962100001", [Role.SECRETARIAT, Role.HR_ADMIN, Role.ARCHIVIST]),
    ("officer_market", "张三", "市场专员", "market", "13962100002", []),
    ("officer_prod", "孙丽", "生产调度员", "prod", "13962100003", []),
    ("head_market", "王五", "市场部经理", "market", "13962100004", []),
    ("head_prod", "赵六", "生产部经理", "prod", "13962100005", []),
    ("leader", "李四", "副总经理", "office", "13962100006", []),
    ("gm", "吴建国", "总经理", "office", "13962100007", [Role.GENERAL_MANAGER]),
    ("legal", "郑洁", "法务专员", "office", "13962100008", [Role.LEGAL]),
    ("employee", "陈晨", "销售代表", "market", "13962100009", []),
    ("auditor", "冯涛", "监察专员", "office", "13962100010", [Role.SUPERVISION]),
]
# Staff who appear in the directory but do not log in to the demo.
STAFF = [
    ("gao_yuan", "高远", "办公室主任", "office", "13962100011"),
    ("lin_fang", "林芳", "文秘", "office", "13962100012"),
    ("ma_qiang", "马强", "人力资源部经理", "hr", "13962100013"),
    ("huang_lei", "黄蕾", "人事专员", "hr", "13962100014"),
    ("qian_qi", "钱七", "财务部经理", "finance", "13962100015"),
    ("he_jing", "何静", "会计", "finance", "13962100016"),
    ("luo_bin", "罗斌", "技术部经理", "tech", "13962100017"),
]
STAFF_ACCOUNTS = {"admin", "secretary", "auditor"}  # may open the admin console

# code, name, item-number prefix, head, supervising leader.
UNITS = [
    ("office", "办公室", "NO", "gao_yuan", "gm"),
    ("hr", "人力资源部", "NR", "ma_qiang", "gm"),
    ("market", "市场部", "NX", "head_market", "leader"),
    ("prod", "生产部", "NB", "head_prod", "leader"),
    ("finance", "财务部", "NC", "qian_qi", "gm"),
    # No officer appointed yet: the directory and the home page flag it.
    ("tech", "技术部", "NJ", "luo_bin", "leader"),
]

DUTIES = [
    ("D01", "收集信息", "收集本部门生产经营、市场、政策等方面的信息。"),
    ("D02", "整理编写", "对收集的信息进行筛选、核实、整理，按格式编写。"),
    ("D03", "传递报送", "按规定渠道和时限传递、报送信息，跟踪反馈。"),
    ("D04", "组织会议", "组织或参加联络员例会、协调会，整理会议纪要。"),
    ("D05", "维护信息系统", "维护本部门在信息平台上的资料和账户。"),
    ("D06", "协调沟通", "与其他部门和外部单位的联络员协调沟通。"),
    ("D07", "保密管理", "落实保密要求，不在邮件、群聊中传递内部或限定范围内容。"),
]

# username, unit, primary, phone, appointed days ago, induction, confidentiality, duty codes.
OFFICERS = [
    ("officer_market", "market", True, "13962100002", 400, True, True,
     ["D01", "D02", "D03", "D06", "D07"]),
    ("officer_prod", "prod", True, "13962100003", 300, True, True, ["D01", "D02", "D03", "D07"]),
    ("lin_fang", "office", True, "13962100012", 700, True, True, ["D03", "D04", "D05", "D07"]),
    # Appointed recently: no induction training yet.
    ("huang_lei", "hr", True, "13962100014", 20, False, True, ["D01", "D03"]),
    # No confidentiality agreement on record yet.
    ("he_jing", "finance", True, "13962100016", 60, True, False, ["D01", "D02", "D03"]),
]

# name, kind, responsible unit, responsible user, address, contacts (name, title, phone, email).
EXTERNAL_UNITS = [
    ("苏州宏达机电设备有限公司", ExternalUnit.Kind.CUSTOMER, "market", "head_market", "苏州市吴中区宝带东路88号",
     [("刘建华", "采购部经理", "0512-65230011", "liujh@example.com")]),
    ("江苏恒盛钢材有限公司", ExternalUnit.Kind.SUPPLIER, "prod", "head_prod", "无锡市锡山区锡沪路166号",
     [("陈志刚", "销售经理", "0510-88230022", "chenzg@example.com"),
      ("杨梅", "客服专员", "0510-88230023", "yangm@example.com")]),
    ("苏州市市场监督管理局", ExternalUnit.Kind.REGULATOR, "office", "gao_yuan", "苏州市姑苏区三香路1208号",
     [("徐科长", "企业监管科科长", "0512-68120033", "")]),
    ("江苏省机械行业协会", ExternalUnit.Kind.ASSOCIATION, "office", "lin_fang", "南京市鼓楼区中山北路200号",
     [("蒋秘书", "协会秘书处", "025-83310044", "jiang@example.com")]),
    ("苏州日报社", ExternalUnit.Kind.MEDIA, "office", "lin_fang", "苏州市姑苏区竹辉路118号",
     [("沈记者", "经济新闻部记者", "0512-65110055", "shen@example.com")]),
]


def demo_password():
    return os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD


def seed():
    """Create the demo organisation where missing. Returns the number of rows created."""
    seeder = _Seeder()
    seeder.run()
    return seeder.created


class _Seeder:
    def __init__(self):
        self.created = 0
        self.users = {}
        self.units = {}
        self.duties = {}
        self.externals = {}
        self.today = timezone.localdate()

    def _get_or_create(self, model, defaults=None, **lookup):
        obj = model.objects.filter(**lookup).first()
        if obj is not None:
            return obj, False
        obj = model(**lookup, **(defaults or {}))
        obj._change_reason = "seed_demo"
        obj.save()
        self.created += 1
        return obj, True

    def run(self):
        self.holidays()
        self.people()
        self.organisation()
        self.roles()
        self.duty_catalogue()
        self.officers()
        self.external_units()
        self.registrations()

    def holidays(self):
        # The current year's holidays, so deadlines in the demo follow them.
        year = self.today.year
        fill_from_chinesecalendar(years=[year, year + 1])

    def people(self):
        User = get_user_model()
        # One hash for every demo account: the password is published anyway,
        # and hashing it eleven times would slow `make run` by seconds.
        hashed = make_password(demo_password())
        everyone = [(u, n, t, c, p, True) for u, n, t, c, p, _r in ACCOUNTS]
        everyone += [(u, n, t, c, p, False) for u, n, t, c, p in STAFF]
        for username, name, _title, _unit, _phone, logs_in in everyone:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(
                    username=username,
                    first_name=name,
                    email="%s@example.com" % username,
                    is_staff=username in STAFF_ACCOUNTS,
                    is_superuser=username == "admin",
                )
                # Demo passwords are set directly: the validators are for people
                # choosing their own password, not for a published demo one.
                if logs_in:
                    user.password = hashed
                else:
                    user.set_unusable_password()
                user.save()
                self.created += 1
            self.users[username] = user

    def organisation(self):
        for order, (code, name, prefix, head, leader) in enumerate(UNITS, start=1):
            unit, _ = self._get_or_create(
                OrgUnit,
                code=code,
                defaults={
                    "name": name,
                    "number_prefix": prefix,
                    "head": self.users[head],
                    "supervising_leader": self.users[leader],
                    "sort_order": order * 10,
                },
            )
            self.units[code] = unit
        rows = [(u, t, c, p) for u, _n, t, c, p, _r in ACCOUNTS] + [(u, t, c, p) for u, _n, t, c, p in STAFF]
        for username, title, unit_code, phone in rows:
            self._get_or_create(
                StaffProfile,
                user=self.users[username],
                defaults={"unit": self.units[unit_code], "title": title, "phone": phone},
            )

    def roles(self):
        for username, _n, _t, _c, _p, roles in ACCOUNTS:
            user = self.users[username]
            for role in roles:
                if RoleAssignment.objects.filter(user=user, role=role).exists():
                    continue
                # The service also gives the admin console to the roles that need it.
                assign_role(user=user, role=role, actor=None)
                self.created += 1

    def duty_catalogue(self):
        for code, name, description in DUTIES:
            self.duties[code], _ = self._get_or_create(
                Duty, code=code, defaults={"name": name, "description": description}
            )

    def officers(self):
        for username, unit_code, primary, phone, days_ago, induction, confidentiality, duties in OFFICERS:
            user, unit = self.users[username], self.units[unit_code]
            appointed = self.today - timedelta(days=days_ago)
            # Any post this person ever held in the unit counts: if HR ended the
            # demo appointment, a second run must not appoint them again.
            officer = Officer.objects.filter(user=user, unit=unit).order_by("-appointed_on").first()
            if officer is None:
                if primary and Officer.objects.filter(unit=unit, is_primary=True, status=Officer.Status.ACTIVE).exists():
                    primary = False  # someone else holds the primary post now
                officer, _ = self._get_or_create(
                    Officer,
                    user=user,
                    unit=unit,
                    defaults={
                        "is_primary": primary,
                        "phone": phone,
                        "email": user.email,
                        "appointed_on": appointed,
                        "induction_done_on": appointed + timedelta(days=7) if induction else None,
                        "confidentiality_signed_on": appointed if confidentiality else None,
                    },
                )
            for code in duties:
                self._get_or_create(
                    OfficerDuty, officer=officer, duty=self.duties[code], defaults={"assigned_on": officer.appointed_on}
                )

    def external_units(self):
        for name, kind, unit_code, username, address, contacts in EXTERNAL_UNITS:
            external, _ = self._get_or_create(
                ExternalUnit,
                name=name,
                defaults={
                    "kind": kind,
                    "responsible_unit": self.units[unit_code],
                    "responsible_user": self.users[username],
                    "address": address,
                },
            )
            self.externals[name] = external
            for contact_name, title, phone, email in contacts:
                self._get_or_create(
                    ExternalContact,
                    external_unit=external,
                    name=contact_name,
                    defaults={"title": title, "phone": phone, "email": email},
                )

    def registrations(self):
        now = timezone.now()
        market_officer = Officer.objects.filter(user=self.users["officer_market"], unit=self.units["market"]).first()
        prod_officer = Officer.objects.filter(user=self.users["officer_prod"], unit=self.units["prod"]).first()

        # 工商联络员: the market department's officer registered with the market
        # regulator; a change of phone number was filed a day too late.
        regulator = self.externals["苏州市市场监督管理局"]
        market_reg, _ = self._get_or_create(
            Registration,
            unit=self.units["market"],
            body=regulator,
            defaults={
                "officer": market_officer,
                "registered_name": "张三",
                "registered_phone": "13962100002",
                "registered_email": "officer_market@example.com",
                "registered_on": self.today - timedelta(days=380),
                "reference": "SZSJ-LLY-2024-0312",
            },
        )
        if not market_reg.filings.exists():
            changed = _morning(now - timedelta(days=30))
            due = add_working_days(changed, 2)
            self._get_or_create(
                ChangeFiling,
                registration=market_reg,
                reason=ChangeFiling.Reason.CONTACT_CHANGED,
                defaults={
                    "detail": "联络员手机号由 13962109999 变更为 13962100002",
                    "changed_at": changed,
                    "due_at": due,
                    "filed_at": due + timedelta(days=1),
                    "filed_by": self.users["officer_market"],
                    "note": "因系统维护延迟一天报备。",
                },
            )

        # The production department's officer registered with the industry
        # association; the new officer has not been filed there yet.
        association = self.externals["江苏省机械行业协会"]
        prod_reg, _ = self._get_or_create(
            Registration,
            unit=self.units["prod"],
            body=association,
            defaults={
                "officer": prod_officer,
                "registered_name": "孙丽",
                "registered_phone": "13962100003",
                "registered_on": self.today - timedelta(days=290),
                "reference": "JSJX-HY-0457",
            },
        )
        if not prod_reg.filings.exists():
            changed = now
            self._get_or_create(
                ChangeFiling,
                registration=prod_reg,
                reason=ChangeFiling.Reason.OFFICER_CHANGED,
                defaults={
                    "detail": "生产部联络员变更为孙丽，需向协会秘书处报备",
                    "changed_at": changed,
                    "due_at": add_working_days(changed, 2),
                },
            )


def _morning(moment):
    """09:30 local time on the moment's day, so the demo's dates read naturally."""
    local = timezone.localtime(moment)
    return timezone.make_aware(datetime.combine(local.date(), time(9, 30)), timezone.get_current_timezone())
