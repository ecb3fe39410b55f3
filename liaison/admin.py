from .admin_audit import *  # noqa: F401,F403  the audit log and the User admin
from .admin_calendar import *  # noqa: F401,F403  the working-day calendar
from .admin_notify import *  # noqa: F401,F403  notices and their deliveries

from django.contrib import admin  # noqa: E402
from django.utils.translation import gettext_lazy as _  # noqa: E402

admin.site.site_header = _("信息联络员工作平台 · 管理后台")
admin.site.site_title = _("信息联络员管理后台")
admin.site.index_title = _("管理首页")
