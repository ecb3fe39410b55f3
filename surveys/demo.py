"""Demo of the surveys (``manage.py seed_demo``, issue 19 §2 and §10):

* 信息工作效果与满意度调查 — anonymous, sent by ``secretary`` to 市场部 and
  生产部 (their officers and heads), ``employee`` and the contacts of the
  customer; four answers in (three members of staff and one external
  contact through their link), the others still to answer; ``leader`` is
  named to read the results.
* 客户回访满意度（上季度） — named, sent to the customer's contacts, one
  answer, closed.

Built through the services. Idempotent: a survey whose title exists is not
built again.
"""
from django.contrib.auth import get_user_model
from django.db import transaction

from officers.models import ExternalContact, ExternalUnit, OrgUnit

from . import services
from .models import Question, Recipient, Survey

EFFECT_TITLE = "信息工作效果与满意度调查"
CUSTOMER_TITLE = "客户回访满意度（上季度）"


def _questions(survey, actor, rows):
    for kind, text, required, options in rows:
        services.add_question(survey=survey, actor=actor, kind=kind, text=text, required=required,
                              options=options)


def _answer(survey, recipient, picks):
    """``picks``: per question in order, an option index (single), indexes (multiple), a score or a text."""
    raw = {}
    for question, pick in zip(survey.questions.order_by("position").prefetch_related("options"), picks):
        options = list(question.options.all())
        if question.kind == Question.Kind.SINGLE:
            raw[question.pk] = str(options[pick].pk)
        elif question.kind == Question.Kind.MULTIPLE:
            raw[question.pk] = [str(options[i].pk) for i in pick]
        else:
            raw[question.pk] = str(pick)
    services.submit_response(recipient=recipient, answers=raw)


def seed() -> int:
    """Create the demo surveys if missing; returns how many were created."""
    users = {u.username: u for u in get_user_model().objects.filter(
        username__in=["secretary", "employee", "officer_market", "head_market", "officer_prod", "leader"])}
    units = list(OrgUnit.objects.filter(code__in=["market", "prod"]))
    if "secretary" not in users or not units:
        return 0
    customer = ExternalUnit.objects.filter(kind=ExternalUnit.Kind.CUSTOMER).order_by("pk").first()
    contacts = list(ExternalContact.objects.filter(external_unit=customer)) if customer else []
    secretary = users["secretary"]
    created = 0
    with transaction.atomic():
        if not Survey.objects.filter(title=EFFECT_TITLE).exists():
            survey = services.create_survey(
                actor=secretary, title=EFFECT_TITLE, anonymous=True, working_days=5,
                intro="为了解信息传递的效果，改进信息工作，请根据实际感受填写。本问卷匿名，约需 3 分钟。")
            _questions(survey, secretary, [
                ("scale", "您对信息传递的及时性是否满意？", True, []),
                ("scale", "您对收到信息的准确性和完整性是否满意？", True, []),
                ("single", "您主要通过哪种渠道收到信息？", True, ["门户通知", "电子邮件", "微信/钉钉群", "纸质文件"]),
                ("multiple", "您希望加强哪些方面？", False, ["反馈时限", "信息分类", "政策解读", "培训"]),
                ("text", "其他意见和建议", False, []),
            ])
            extra = [users[n] for n in ("employee",) if n in users]
            services.add_recipients(survey=survey, actor=secretary, users=extra, units=units, contacts=contacts)
            if "leader" in users:
                services.set_viewers(survey=survey, actor=secretary, users=[users["leader"]])
            services.open_survey(survey=survey, actor=secretary)
            answers = {"officer_market": [5, 4, 0, [2], "希望政策类信息附上解读要点。"],
                       "head_market": [4, 4, 1, [0, 3], ""],
                       "employee": [3, 4, 0, [1], "通知有时太多，希望按重要程度分类。"]}
            for username, picks in answers.items():
                recipient = Recipient.objects.filter(survey=survey, user__username=username).first()
                if recipient is not None:
                    _answer(survey, recipient, picks)
            outside = Recipient.objects.filter(survey=survey, kind=Recipient.Kind.EXTERNAL).order_by("pk").first()
            if outside is not None:
                _answer(survey, outside, [4, 5, 1, [], "贵公司的回复很及时。"])
            created += 1
        if contacts and not Survey.objects.filter(title=CUSTOMER_TITLE).exists():
            survey = services.create_survey(actor=secretary, title=CUSTOMER_TITLE, anonymous=False, working_days=10,
                                            intro="感谢贵单位的支持。请对我公司上季度的服务作出评价。")
            _questions(survey, secretary, [
                ("scale", "总体满意度", True, []),
                ("single", "我公司对贵单位咨询和反馈的答复是否及时？", True, ["及时", "基本及时", "不及时"]),
                ("text", "意见和建议", False, []),
            ])
            services.add_recipients(survey=survey, actor=secretary, contacts=contacts)
            services.open_survey(survey=survey, actor=secretary)
            first = Recipient.objects.filter(survey=survey).order_by("pk").first()
            _answer(survey, first, [4, 1, "希望交货期变更能提前通知。"])
            services.close_survey(survey=survey, actor=secretary)
            created += 1
    return created
