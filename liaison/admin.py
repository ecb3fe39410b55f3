from .admin_audit import *  # noqa: F401,F403  the audit log and the User admin
