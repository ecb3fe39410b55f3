"""Demo of the directory app (``manage.py seed_demo``, issue 20): the
group → role mappings HR would keep for a directory (hr → 人力资源管理,
secretariat → 秘书处, archivists → 档案管理员) and one sync report as the
nightly sync writes it, so HR's report page has something to show without a
directory server. No WeCom / DingTalk application: those need a real corp id
and secret (README). Idempotent: a second run creates nothing."""
from django.contrib.auth import get_user_model
from django.db import transaction

from officers.models import RoleAssignment

from .models import GroupRoleMap, Source, SyncReport

MAPS = [
    ("hr", RoleAssignment.Role.HR_ADMIN, "演示：目录中的人力资源组"),
    ("secretariat", RoleAssignment.Role.SECRETARIAT, "演示：目录中的秘书处组"),
    ("archivists", RoleAssignment.Role.ARCHIVIST, "演示：目录中的档案组"),
]


@transaction.atomic
def seed() -> int:
    """Create the demo mappings and report if missing; returns rows created."""
    created = 0
    for group, role, note in MAPS:
        _row, made = GroupRoleMap.objects.get_or_create(group=group, role=role, defaults={"note": note})
        created += made
    if not SyncReport.objects.exists():
        employee = get_user_model().objects.filter(username="employee").first()
        rows = [{"kind": "new", "username": "xinren", "name": "新入职员工", "user_id": None, "changes": {},
                 "phone": "13800009999", "email": "xinren@example.cn", "department": "市场部"}]
        if employee is not None:
            rows.append({"kind": "changed", "username": employee.username, "name": employee.get_full_name(),
                         "user_id": employee.pk, "changes": {"phone": ["", "13800008888"]}})
        report = SyncReport(source=Source.LDAP, rows=rows, new_count=1, changed_count=len(rows) - 1)
        report._change_reason = "demo"
        report.save()
        created += 1
    return created
