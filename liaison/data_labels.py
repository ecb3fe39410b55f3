"""English labels for the names the product ships as data (issue 10, 6.10).

Route, stage, category and duty names are rows the secretariat and HR edit,
not code, so gettext cannot find them in the source. The names the product
ships (migration infoflow 0003, ``seed_demo``) are marked here, so
makemessages extracts them and locale/en translates them; ``label(name)``
shows a shipped name in the reader's language and any other name (one the
organisation typed) as typed. A review step copies its stage's name when it
opens, so the same label serves steps, routes frozen on items and the
timeline.
"""
from django.utils.translation import gettext
from django.utils.translation import gettext_noop

ROUTES = (
    gettext_noop("收文登记"), gettext_noop("紧急情况（先处理后报告）"), gettext_noop("信息发布"), gettext_noop("会员单位信息"),
    gettext_noop("具有法律效力的重大文件"), gettext_noop("具有法律效力的文件"), gettext_noop("对外重大事项"), gettext_noop("对外信息"),
    gettext_noop("跨部门协调（会签）"), gettext_noop("内部协调"), gettext_noop("内部常规信息"), gettext_noop("无需审核"),
)
STAGES = (
    gettext_noop("部门负责人"), gettext_noop("分管领导"), gettext_noop("总经理"), gettext_noop("法务审核"),
    gettext_noop("秘书处初审"), gettext_noop("协会秘书处"), gettext_noop("相关部门会签"),
)
CATEGORIES = (
    gettext_noop("政令决议"), gettext_noop("生产经营问题"), gettext_noop("合理化建议"), gettext_noop("投诉举报"),
    gettext_noop("客户意见"), gettext_noop("市场/政策信息"), gettext_noop("安全隐患"), gettext_noop("紧急情况"),
    gettext_noop("其他"),
)
DUTIES = (
    gettext_noop("收集信息"), gettext_noop("整理编写"), gettext_noop("传递报送"), gettext_noop("组织会议"),
    gettext_noop("维护信息系统"), gettext_noop("协调沟通"), gettext_noop("保密管理"),
)
SHIPPED = frozenset(ROUTES + STAGES + CATEGORIES + DUTIES)


def label(name):
    """``name`` in the active language when it is a shipped name, else as typed."""
    if not name or name not in SHIPPED:
        return name
    return gettext(name)
