from .admin_audit import *  # noqa: F401,F403  the audit log and the User admin
from .admin_calendar import *  # noqa: F401,F403  the working-day calendar
