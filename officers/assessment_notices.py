"""The assessment's notices (written through the outbox, liaison.notifications,
in the transaction of the change; the pattern of infoflow.notices)."""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext as _

from infoflow.notices import in_notify_language
from liaison import notifications


def _name(user) -> str:
    return user.get_full_name() or user.username


@in_notify_language
def commendation(period, awarded, *, actor=None) -> list:
    """The commendation notice (通报表彰, seed 003 第九条: "协会每年对'年度优秀联络员'
    予以通报表彰"): every active member of staff hears of the published
    assessment and the officers named 年度优秀联络员; each named officer gets
    their own notice too. ``awarded``: the excellent results, by rank."""
    url = reverse("assessment:period", args=[period.year])
    names = "、".join("%s（%s）" % (_name(r.user), r.unit.name) for r in awarded) or _("无")
    subject = _("通报表彰：%(title)s 结果发布") % {"title": period.title}
    body = _("%(title)s 已发布。年度优秀联络员：%(names)s。特此通报表彰。") % {"title": period.title, "names": names}
    rows = [
        notifications.build(recipient=user, key="assessment:%d:published" % period.pk, kind="other",
                            subject=subject, body=body, url=url)
        for user in get_user_model().objects.filter(is_active=True).order_by("pk")
    ]
    for result in awarded:
        rows.append(notifications.build(
            recipient=result.user, key="assessment:%d:award" % period.pk, kind="other",
            subject=_("您被评为%(year)s 年度优秀联络员") % {"year": period.year},
            body=_("%(title)s 总分 %(total)s，排名第 %(rank)s，被评为年度优秀联络员。")
            % {"title": period.title, "total": result.total, "rank": result.rank},
            url=reverse("assessment:result", args=[period.year, result.pk])))
    notifications.write(rows)
    return rows
