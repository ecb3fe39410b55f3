from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "directory"
    verbose_name = _("目录与企业微信/钉钉")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Framework glue: the WeCom and DingTalk work-message channels join
        # liaison's delivery (liaison.notifications imports no app).
        from liaison import notifications

        from . import channels

        notifications.register_channel("wecom", send=channels.send_wecom, wants=channels.wants_wecom,
                                       enabled=channels.wecom_enabled)
        notifications.register_channel("dingtalk", send=channels.send_dingtalk, wants=channels.wants_dingtalk,
                                       enabled=channels.dingtalk_enabled)
