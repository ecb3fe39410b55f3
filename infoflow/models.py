"""Information items and their closed loop: 发起 → 审核 → 传递 → 反馈 → 归档.

An item follows a *route* chosen at submission by rules the secretariat edits
(RouteRule → RouteStage); the stages are copied into the item
(``route_snapshot``) so later rule changes do not move items already under way.
Each stage becomes a ReviewStep per round with one StepAssignee per decider.
"""
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from liaison.data_labels import label
from liaison.indexes import cursor_index
from officers.models import ExternalContact, ExternalUnit, OrgUnit

from . import extensions
from .loop_models import Outcome

User = settings.AUTH_USER_MODEL


class Urgency(models.TextChoices):
    NORMAL = "normal", _("普通")
    URGENT = "urgent", _("紧急")
    EXTRA_URGENT = "extra_urgent", _("特急")


class Direction(models.TextChoices):
    INTERNAL = "internal", _("内部")
    EXTERNAL = "external", _("外部（发出）")
    INCOMING = "incoming", _("收文")


class Kind(models.TextChoices):
    ROUTINE = "routine", _("常规工作信息")
    COORDINATION = "coordination", _("跨部门协调")
    PUBLICATION = "publication", _("信息发布")
    REPORT = "report", _("向领导报告")
    LEGAL = "legal", _("具有法律效力的文件")
    NOTICE = "notice", _("通知（无需反馈）")


class Confidentiality(models.TextChoices):
    PUBLIC = "public", _("公开")
    INTERNAL = "internal", _("内部")
    RESTRICTED = "restricted", _("限定范围")


class TransmissionMethod(models.TextChoices):
    SYSTEM = "system", _("系统消息")
    EMAIL = "email", _("邮件")
    PHONE = "phone", _("电话")
    LETTER = "letter", _("书面函件")
    MEETING = "meeting", _("会议")
    WECHAT = "wechat", _("企业微信/钉钉")
    FAX = "fax", _("传真")


class ReleaseChannel(models.TextChoices):
    INTRANET = "intranet", _("内网网站")
    WECHAT_OA = "wechat_oa", _("微信公众号")
    NOTICE_BOARD = "notice_board", _("公告栏")
    EMAIL = "email", _("电子邮件")
    BULLETIN = "bulletin", _("信息简报")


def methods_label(codes: str) -> str:
    """"email,phone" → "邮件+电话" (the log's way of joining methods)."""
    labels = dict(TransmissionMethod.choices)
    return "+".join(str(labels.get(m, m)) for m in codes.split(",") if m)


class Category(models.Model):
    """The editable list of categories (政令决议, 生产经营问题, 合理化建议…)."""

    code = models.CharField(_("编码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    is_emergency = models.BooleanField(
        _("紧急类"), default=False, help_text=_("紧急情况、安全隐患等可先处理后报告的类别")
    )
    is_active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("信息类别")
        verbose_name_plural = _("信息类别")

    def __str__(self):
        return label(self.name)


class RouteRule(models.Model):
    """Conditions → an ordered list of stages. The active rule with the lowest
    priority number whose conditions all match an item is its route. An empty
    condition matches anything."""

    class Restart(models.TextChoices):
        FROM_START = "start", _("从头重新审核")
        FROM_RETURNING_STAGE = "returning_stage", _("从退回环节重新审核")

    name = models.CharField(_("路线名称"), max_length=100)
    priority = models.PositiveIntegerField(_("优先级"), default=100, help_text=_("数字小者优先匹配"))
    is_active = models.BooleanField(_("启用"), default=True)
    # conditions
    direction = models.CharField(_("方向"), max_length=20, choices=Direction.choices, blank=True)
    kinds = models.CharField(_("信息种类"), max_length=200, blank=True, help_text=_("逗号分隔的种类代码；留空表示任意"))
    categories = models.ManyToManyField(Category, verbose_name=_("类别"), blank=True)
    originating_units = models.ManyToManyField(OrgUnit, verbose_name=_("发起单位"), blank=True)
    originating_unit_kind = models.CharField(
        _("发起单位类型"), max_length=20, choices=OrgUnit.Kind.choices, blank=True
    )
    is_major = models.BooleanField(_("重大事项"), null=True, blank=True)
    has_legal_effect = models.BooleanField(_("具有法律效力"), null=True, blank=True)
    for_publication = models.BooleanField(_("对外发布"), null=True, blank=True)
    needs_coordination = models.BooleanField(_("需跨部门协调"), null=True, blank=True)
    # behaviour
    send_first = models.BooleanField(
        _("先传递后审核"), default=False, help_text=_("紧急情况：先处理后报告，审核环节在传递后进行")
    )
    restart = models.CharField(_("退回后重新提交"), max_length=20, choices=Restart.choices, default=Restart.FROM_START)
    description = models.TextField(_("说明"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["priority", "pk"]
        verbose_name = _("审核路线")
        verbose_name_plural = _("审核路线")

    def __str__(self):
        return label(self.name)


class DeciderKind(models.TextChoices):
    SECRETARIAT_POOL = "secretariat_pool", _("秘书处初审（先领先办）")
    UNIT_HEAD = "unit_head", _("发起部门负责人")
    SUPERVISING_LEADER = "supervising_leader", _("分管领导")
    GENERAL_MANAGER = "general_manager", _("总经理")
    LEGAL = "legal", _("法务审核")
    ASSOCIATION_SECRETARIAT = "association_secretariat", _("协会秘书处")
    RECEIVER_HEADS = "receiver_heads", _("各接收部门负责人")
    SECRETARIAT_LEAD = "secretariat_lead", _("秘书处负责人")


class DecisionMode(models.TextChoices):
    ALL = "all", _("会签（全部同意）")
    ANY = "any", _("或签（任一同意）")


class StageKind(models.TextChoices):
    """What a stage is for: a review, or the re-check before release (发布前复核,
    seed 002 §三(四)2) that a publication route may put after the leader."""

    REVIEW = "review", _("审核")
    RECHECK = "recheck", _("发布前复核")


class RouteStage(models.Model):
    rule = models.ForeignKey(RouteRule, verbose_name=_("路线"), on_delete=models.CASCADE, related_name="stages")
    order = models.PositiveSmallIntegerField(_("顺序"))
    name = models.CharField(_("环节名称"), max_length=50)
    decider = models.CharField(_("审核人"), max_length=30, choices=DeciderKind.choices)
    mode = models.CharField(_("多人审核方式"), max_length=10, choices=DecisionMode.choices, default=DecisionMode.ALL)
    may_edit = models.BooleanField(_("可修改文稿"), default=False)
    kind = models.CharField(_("环节类型"), max_length=20, choices=StageKind.choices, default=StageKind.REVIEW)
    history = HistoricalRecords()

    class Meta:
        ordering = ["rule", "order"]
        verbose_name = _("审核环节")
        verbose_name_plural = _("审核环节")
        constraints = [models.UniqueConstraint(fields=["rule", "order"], name="unique_stage_order")]

    def __str__(self):
        return f"{self.rule} · {self.order}. {label(self.name)}"


class Item(models.Model):
    """One piece of information: a row of the communication log."""

    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        IN_REVIEW = "in_review", _("审核中")
        RETURNED = "returned", _("已退回")
        APPROVED = "approved", _("待传递")
        TRANSMITTED = "transmitted", _("待反馈")
        COMPLETED = "completed", _("已办结")
        ARCHIVED = "archived", _("已归档")
        WITHDRAWN = "withdrawn", _("已撤回")
        CANCELLED = "cancelled", _("已作废")

    # The only moves an item can make (services check against this).
    TRANSITIONS = {
        State.DRAFT: {State.IN_REVIEW, State.APPROVED, State.TRANSMITTED, State.CANCELLED},
        State.IN_REVIEW: {State.IN_REVIEW, State.RETURNED, State.APPROVED, State.WITHDRAWN, State.CANCELLED,
                          State.TRANSMITTED, State.COMPLETED},
        State.RETURNED: {State.IN_REVIEW, State.APPROVED, State.CANCELLED},
        State.WITHDRAWN: {State.IN_REVIEW, State.APPROVED, State.CANCELLED},
        State.APPROVED: {State.TRANSMITTED, State.CANCELLED},
        State.TRANSMITTED: {State.COMPLETED, State.CANCELLED},
        State.COMPLETED: {State.ARCHIVED},
        State.ARCHIVED: set(),
        State.CANCELLED: set(),
    }

    number = models.CharField(_("信息编号"), max_length=30, unique=True, null=True, blank=True)
    direction = models.CharField(_("方向"), max_length=20, choices=Direction.choices, default=Direction.INTERNAL)
    kind = models.CharField(_("种类"), max_length=20, choices=Kind.choices, default=Kind.ROUTINE)
    category = models.ForeignKey(Category, verbose_name=_("类别"), null=True, blank=True, on_delete=models.PROTECT)
    confidentiality = models.CharField(
        _("密级"), max_length=20, choices=Confidentiality.choices, default=Confidentiality.INTERNAL
    )
    urgency = models.CharField(_("紧急程度"), max_length=20, choices=Urgency.choices, default=Urgency.NORMAL)
    state = models.CharField(_("处理状态"), max_length=20, choices=State.choices, default=State.DRAFT, db_index=True)

    unit = models.ForeignKey(OrgUnit, verbose_name=_("发起部门"), on_delete=models.PROTECT, related_name="items")
    initiator = models.ForeignKey(User, verbose_name=_("发起人"), on_delete=models.PROTECT, related_name="initiated_items")
    subject = models.CharField(_("信息主题"), max_length=200)
    summary = models.TextField(_("内容摘要"))
    remarks = models.TextField(_("备注"), blank=True)
    event_date = models.DateField(_("事件日期"), null=True, blank=True)
    project = models.CharField(_("项目/事项"), max_length=100, blank=True, help_text=_("用于归档分类"))
    is_major = models.BooleanField(_("重大事项"), default=False)
    has_legal_effect = models.BooleanField(_("具有法律效力"), default=False)
    needs_coordination = models.BooleanField(_("需跨部门协调或资源"), default=False)
    needs_answer = models.BooleanField(_("需要反馈"), default=True)
    to_all_staff = models.BooleanField(_("全体员工"), default=False)
    # Stored as comma-separated codes of TransmissionMethod / ReleaseChannel.
    transmission_methods = models.CharField(_("传递方式"), max_length=200, blank=True)
    release_channels = models.CharField(_("发布渠道"), max_length=200, blank=True)
    planned_release_at = models.DateTimeField(_("计划发布时间"), null=True, blank=True)

    expected_feedback_at = models.DateTimeField(_("预计反馈时间"), null=True, blank=True, db_index=True)
    actual_feedback_at = models.DateTimeField(_("实际反馈时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    submitted_at = models.DateTimeField(_("发起时间"), null=True, blank=True, db_index=True)
    approved_at = models.DateTimeField(_("审核通过时间"), null=True, blank=True)
    transmitted_at = models.DateTimeField(_("传递时间"), null=True, blank=True)
    completed_at = models.DateTimeField(_("办结时间"), null=True, blank=True, db_index=True)
    cancel_reason = models.TextField(_("作废原因"), blank=True)

    # Route chosen at first submission, frozen (stages as dicts: name, decider, mode, may_edit).
    route_rule = models.ForeignKey(RouteRule, verbose_name=_("审核路线"), null=True, blank=True, on_delete=models.SET_NULL)
    route_name = models.CharField(_("路线名称"), max_length=100, blank=True)
    route_snapshot = models.JSONField(_("路线环节"), default=list, blank=True)
    send_first = models.BooleanField(_("先传递后审核"), default=False)
    restart = models.CharField(max_length=20, choices=RouteRule.Restart.choices, default=RouteRule.Restart.FROM_START)
    review_round = models.PositiveSmallIntegerField(_("审核轮次"), default=0)
    current_stage = models.SmallIntegerField(_("当前环节"), null=True, blank=True)

    # 收文 (incoming): who sent it and their reference.
    source_name = models.CharField(_("来文单位"), max_length=200, blank=True)
    source_reference = models.CharField(_("来文字号"), max_length=100, blank=True)
    received_at = models.DateTimeField(_("收文时间"), null=True, blank=True)

    archive_number = models.CharField(_("归档编号"), max_length=30, blank=True)
    # The archive-due sweep's cursor (archive.sweeps, liaison.sweeps).
    archive_notice_at = models.DateTimeField(_("归档提醒时间"), null=True, blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["route_snapshot", "archive_notice_at"])

    class Meta:
        ordering = ["-submitted_at", "-created_at", "-pk"]
        verbose_name = _("信息")
        verbose_name_plural = _("信息")
        default_permissions = ("add", "change", "delete", "view")
        permissions = [
            ("handle_item", _("可处理信息（发起部门联络员）")),
            ("receive_item", _("可签收和反馈信息")),
        ]
        indexes = [
            models.Index(fields=["unit", "state", "submitted_at"]),
            models.Index(fields=["initiator", "state"]),
            cursor_index("archive_notice_at", condition=Q(state="completed"), name="item_completed_notice_at"),
            # The archive's pending list (completed, not archived yet, the oldest first): the completed_at index
            # alone walks every archived item first, and those grow by the year (issue 12).
            models.Index(fields=["completed_at"], condition=Q(state="completed"), name="item_pending_archiving"),
            # The release desk (publication.selectors.release_desk): publication items, the newest approved first;
            # the state index made it filter every approved item of the organisation (60,000 at 100,000; issue 12).
            models.Index(F("approved_at").desc(), F("id").desc(), condition=Q(kind="publication"),
                         name="item_publication_desk"),
            # "My items" counts its tabs from these alone (selectors.my_item_counts, index-only scans): a unit's
            # items by state and confidentiality, an initiator's by unit and state; counted from the table they
            # read a heap page an item (2,000 for an officer at 100,000 items; issue 12).
            models.Index(fields=["unit", "state", "confidentiality"], include=["id"], name="item_unit_counts"),
            models.Index(fields=["initiator", "unit", "state"], include=["id"], name="item_initiator_counts"),
        ]

    def __str__(self):
        return f"{self.number or _('草稿')} {self.subject}"

    def can_move_to(self, new_state) -> bool:
        return new_state in self.TRANSITIONS.get(self.state, set())

    @property
    def methods_list(self):
        return [m for m in self.transmission_methods.split(",") if m]

    @property
    def methods_display(self):
        return methods_label(self.transmission_methods)

    @property
    def channels_list(self):
        return [c for c in self.release_channels.split(",") if c]

    @property
    def channels_display(self):
        """"intranet,wechat_oa" → "内网网站、微信公众号" (never the codes where people read):
        the channels kept as data (infoflow.extensions.release_channels), else the fixed list."""
        if not self.release_channels:
            return ""
        labels = dict(ReleaseChannel.choices) | dict(extensions.release_channels(active_only=False) or ())
        return "、".join(str(labels.get(c, c)) for c in self.channels_list)

    @property
    def is_restricted(self):
        return self.confidentiality == Confidentiality.RESTRICTED


class ItemUserObjectPermission(UserObjectPermissionBase):
    """Direct foreign-key guardian table: who may view / handle / receive an item."""

    content_object = models.ForeignKey(Item, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        indexes = [models.Index(fields=["user", "permission", "content_object"])]


class ItemGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Item, on_delete=models.CASCADE)


class NumberSequence(models.Model):
    """The last number given per prefix and year. Locked with SELECT … FOR
    UPDATE inside the submitting transaction, so numbers have no gaps (a
    rolled-back submission rolls the counter back too) and no duplicates."""

    prefix = models.CharField(max_length=10)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="unique_number_sequence")]

    def __str__(self):
        return f"{self.prefix}-{self.year}: {self.last}"


class ItemCopies(models.Model):
    """What the on-time page's overdue lists filter on, copied from the row's
    item: its unit, state, confidentiality and "all staff" flag, the columns
    visibility (infoflow.visibility.visibility_q with ``copies=True``) and the
    lists' filters read. With them the lists count and page from their own
    indexes instead of joining the 20,000 open steps past due and the 19,400
    overdue receivers to the item table (issue 12).

    Kept by the database itself, so every write path keeps them exact
    (services, admin, QuerySet.update, bulk_create): triggers copy the item's
    values into a row when it is inserted or when one of these columns (or its
    item) is written, and copy an item's new values into its rows when they
    change (infoflow migration 0019, ``infoflow.item_copies``). Not editable
    and not in the history: the item's own history records the change."""

    item_unit = models.ForeignKey(OrgUnit, null=True, blank=True, editable=False, on_delete=models.DO_NOTHING,
                                  db_constraint=False, db_index=False, related_name="+")
    item_state = models.CharField(max_length=20, blank=True, editable=False)
    item_confidentiality = models.CharField(max_length=20, blank=True, editable=False)
    item_to_all_staff = models.BooleanField(default=False, editable=False)

    class Meta:
        abstract = True


ITEM_COPIES = ["item_unit", "item_state", "item_confidentiality", "item_to_all_staff"]


class Receiver(ItemCopies):
    """One receiver of an item: an internal unit, a person, all staff, or an
    external unit (and contact). Each acknowledges and answers on its own."""

    class Kind(models.TextChoices):
        UNIT = "unit", _("内部部门")
        USER = "user", _("个人")
        ALL_STAFF = "all_staff", _("全体员工")
        EXTERNAL = "external", _("外部单位")

    class State(models.TextChoices):
        WAITING = "waiting", _("待传递")
        SENT = "sent", _("待签收")
        ACKNOWLEDGED = "acknowledged", _("已签收")
        ANSWERED = "answered", _("已反馈")

    item = models.ForeignKey(Item, verbose_name=_("信息"), on_delete=models.CASCADE, related_name="receivers")
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    unit = models.ForeignKey(OrgUnit, verbose_name=_("部门"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(User, verbose_name=_("接收人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    external_unit = models.ForeignKey(
        ExternalUnit, verbose_name=_("外部单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    contact = models.ForeignKey(
        ExternalContact, verbose_name=_("联系人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.WAITING, db_index=True)
    sent_at = models.DateTimeField(_("传递时间"), null=True, blank=True)
    response_due_at = models.DateTimeField(_("签收时限"), null=True, blank=True, db_index=True)
    # The receipt limit in force at transmission (settings.TIME_LIMITS["response"]).
    response_limit_amount = models.PositiveIntegerField(_("签收时限数值"), null=True, blank=True)
    response_limit_unit = models.CharField(_("签收时限单位"), max_length=20, blank=True)
    answer_due_at = models.DateTimeField(_("反馈时限"), null=True, blank=True, db_index=True)
    acknowledged_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(User, verbose_name=_("签收人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    answered_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    answered_by = models.ForeignKey(User, verbose_name=_("反馈人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    answer_result = models.TextField(_("处理结果"), blank=True)
    answer_next_steps = models.TextField(_("后续措施"), blank=True)
    # The answer's outcome code beside its text (issue 19 §8; loop_models.Outcome).
    outcome = models.CharField(_("办理结果"), max_length=20, blank=True, choices=Outcome.choices)
    outcome_reason = models.TextField(_("不予采纳理由"), blank=True)
    # The deadline sweep's cursor (liaison.sweeps): the next moment it has
    # something to say about this case; NULL not looked at yet.
    notice_at = models.DateTimeField(_("下次提醒时间"), null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["notice_at", *ITEM_COPIES])

    class Meta:
        ordering = ["item", "pk"]
        verbose_name = _("接收方")
        verbose_name_plural = _("接收方")
        indexes = [
            cursor_index("notice_at", condition=Q(state__in=("sent", "acknowledged")),
                         name="receiver_waiting_notice_at"),
            # A unit's receipts still to acknowledge or answer, and the open
            # external and all-staff ones (answered by the originating unit's
            # officers): the home card's count reads only these, through a
            # BitmapOr with the user index (infoflow.home_counts), where the
            # state index made it filter every open receipt of the
            # organisation (20,000 at 100,000 items; issue 12).
            # The home card counts them from these two alone (index-only: what it tests is included;
            # infoflow.home_counts._received): a unit's open receipts, and the open external and all-staff
            # ones by the originating unit (their copy of the item's unit).
            models.Index(fields=["unit"], condition=Q(state__in=("sent", "acknowledged")),
                         include=["kind", "state", "answer_due_at", "response_due_at", "item", *ITEM_COPIES],
                         name="receiver_open_unit"),
            models.Index(fields=["item_unit"],
                         condition=Q(kind__in=("external", "all_staff"), state__in=("sent", "acknowledged")),
                         include=["kind", "state", "answer_due_at", "response_due_at", "item", *ITEM_COPIES[1:]],
                         name="receiver_open_originating"),
            models.Index(fields=["item"],
                         condition=Q(kind__in=("external", "all_staff"), state__in=("sent", "acknowledged")),
                         name="receiver_open_external"),
            # The on-time page's overdue receivers (infoflow.ontime.overdue_receivers), in the order of the
            # deadline missed first: the late receipts by their receipt limit, the rest by their answer limit,
            # each read in order from its own index with what visibility needs (ItemCopies) and merged (issue 12).
            models.Index(fields=["response_due_at", "id"], condition=Q(state="sent", item_state="transmitted"),
                         include=["item", "unit", *ITEM_COPIES], name="receiver_receipt_overdue"),
            models.Index(fields=["answer_due_at", "id"],
                         condition=Q(state__in=("sent", "acknowledged"), item_state="transmitted"),
                         include=["item", "unit", "state", "response_due_at", *ITEM_COPIES],
                         name="receiver_answer_overdue"),
            # The on-time rates' answers still missing in a period (ontime.feedback_rates), index-only (issue 12).
            models.Index(fields=["answer_due_at"], condition=Q(kind="unit", state__in=("sent", "acknowledged")),
                         include=["unit"], name="receiver_unit_answer_open"),
            # The on-time page's count of a user's granted items' overdue receivers (ontime.overdue_counts_sql):
            # one probe per grant, from this index alone (issue 12).
            models.Index(fields=["item"], condition=Q(state__in=("sent", "acknowledged"), item_state="transmitted"),
                         include=["unit", "state", "response_due_at", "answer_due_at", *ITEM_COPIES],
                         name="receiver_overdue_item"),
        ]
        constraints = [
            models.CheckConstraint(
                name="receiver_target_matches_kind",
                condition=(
                    Q(kind="unit", unit__isnull=False)
                    | Q(kind="user", user__isnull=False)
                    | Q(kind="all_staff")
                    | Q(kind="external", external_unit__isnull=False)
                ),
            )
        ]

    def __str__(self):
        return self.label

    @property
    def label(self):
        if self.kind == self.Kind.UNIT:
            return self.unit.name
        if self.kind == self.Kind.USER:
            return self.user.get_full_name() or self.user.username
        if self.kind == self.Kind.ALL_STAFF:
            return str(_("全体员工"))
        name = self.external_unit.name
        return f"{name}（{self.contact.name}）" if self.contact_id else name


NAMED_DECIDER = "named"
STEP_DECIDERS = DeciderKind.choices + [(NAMED_DECIDER, _("加签人"))]


class ReviewStep(ItemCopies):
    """One stage of the item's route in one review round."""

    class State(models.TextChoices):
        WAITING = "waiting", _("未开始")
        OPEN = "open", _("审核中")
        APPROVED = "approved", _("已同意")
        RETURNED = "returned", _("已退回")
        SKIPPED = "skipped", _("已撤销")

    # No index of its own: unique_step_per_round (item, review_round,
    # stage_index) serves lookups by item, and a sweep's cursor update
    # rewrites every index of this table.
    item = models.ForeignKey(Item, verbose_name=_("信息"), on_delete=models.CASCADE, related_name="steps",
                             db_index=False)
    review_round = models.PositiveSmallIntegerField(_("轮次"))
    stage_index = models.PositiveSmallIntegerField(_("环节序号"))
    name = models.CharField(_("环节"), max_length=50)
    # A route's decider kinds, or NAMED_DECIDER: a stage added to this item by
    # 加签 (infoflow.services.signers), whose people are named in the snapshot.
    decider = models.CharField(_("审核人类型"), max_length=30, choices=STEP_DECIDERS)
    mode = models.CharField(_("多人审核方式"), max_length=10, choices=DecisionMode.choices, default=DecisionMode.ALL)
    may_edit = models.BooleanField(default=False)
    # Indexed by (state, due_at) below, not each alone: every index of this
    # table is rewritten when a sweep moves a batch's notice_at cursors.
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.WAITING)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    due_at = models.DateTimeField(_("审核时限"), null=True, blank=True)
    # The review limit in force when the step opened (settings.TIME_LIMITS):
    # a later settings change applies to new steps only, and the sweep reads
    # the unit here to share out the reminder time (infoflow.limits).
    limit_amount = models.PositiveIntegerField(_("审核时限数值"), null=True, blank=True)
    limit_unit = models.CharField(_("审核时限单位"), max_length=20, blank=True)
    closed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # Who was passed over and to whom, with the rule (回避, 双人审核, account
    # deactivated): [{"reason", "person", "deputy", "to", "at"}], names as
    # they were, so the timeline says why someone else decides
    # (infoflow.services.routing, services.deactivation).
    handovers = models.JSONField(_("转交记录"), default=list, blank=True, editable=False)
    # The next moment the deadline sweep has something to say about this open
    # step (reminder, overdue, next escalation); the sweep moves it forward,
    # so "nothing due" is one range scan (infoflow.services.deadlines).
    notice_at = models.DateTimeField(_("下次提醒时间"), null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["notice_at", *ITEM_COPIES])

    class Meta:
        ordering = ["item", "review_round", "stage_index"]
        verbose_name = _("审核环节")
        verbose_name_plural = _("审核记录")
        constraints = [
            models.UniqueConstraint(fields=["item", "review_round", "stage_index"], name="unique_step_per_round")
        ]
        indexes = [
            models.Index(fields=["state", "due_at"]),
            cursor_index("notice_at", condition=Q(state="open", due_at__isnull=False),
                         name="reviewstep_open_notice_at"),
            # The on-time page's open steps past due (infoflow.ontime: the rates' late ones, the overdue list and
            # its count), in due order with what visibility needs (ItemCopies): no join to the items (issue 12).
            models.Index(fields=["due_at", "id"], condition=Q(state="open"), include=["item", *ITEM_COPIES],
                         name="reviewstep_open_due"),
            # The home page's review count (infoflow.home_counts._reviews) reaches each pending assignment's step
            # by its id: the open ones with their due moment and item, from this index alone (issue 12).
            models.Index(fields=["id"], condition=Q(state="open"), include=["due_at", "item"],
                         name="reviewstep_open_id"),
            # The on-time page's count of a user's granted items' overdue steps (ontime.overdue_counts_sql):
            # one probe of the open steps per grant, from this index alone (issue 12).
            models.Index(fields=["item"], condition=Q(state="open"), include=["due_at", *ITEM_COPIES],
                         name="reviewstep_open_item"),
            # The same count read from the rows, for a supervising leader (their departments' open steps,
            # not every department's): index-only by department and due time (issue 12).
            models.Index(fields=["item_unit", "due_at"], condition=Q(state="open"),
                         include=["item", "item_state", "item_confidentiality", "item_to_all_staff"],
                         name="reviewstep_open_unit_due"),
        ]

    def __str__(self):
        return f"{self.item} · {self.name}"

    def is_late(self, now=None):
        if self.due_at is None:
            return False
        end = self.closed_at or now or timezone.now()
        return end > self.due_at


class StepAssignee(models.Model):
    """A person who decides (or, for a pool stage, may take) a step."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("同意")
        RETURNED = "returned", _("退回")
        NOT_NEEDED = "not_needed", _("无需审核")
        TRANSFERRED = "transferred", _("已转办")

    step = models.ForeignKey(ReviewStep, verbose_name=_("环节"), on_delete=models.CASCADE, related_name="assignees")
    user = models.ForeignKey(User, verbose_name=_("审核人"), on_delete=models.PROTECT, related_name="review_assignments")
    decision = models.CharField(_("审核结果"), max_length=20, choices=Decision.choices, default=Decision.PENDING, db_index=True)
    opinion = models.TextField(_("审核意见"), blank=True)
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        User, verbose_name=_("实际审核人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text=_("代理人代为审核时记录代理人"),
    )
    taken_at = models.DateTimeField(_("领取时间"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["step", "pk"]
        verbose_name = _("审核人")
        verbose_name_plural = _("审核人")
        constraints = [models.UniqueConstraint(fields=["step", "user"], name="unique_assignee_per_step")]
        indexes = [
            models.Index(fields=["user", "decision"]),
            # The home page's review count (infoflow.home_counts._reviews): a reviewer's pending assignments with
            # their steps, from this index alone, without visiting each assignment's row (issue 12).
            models.Index(fields=["user", "step"], condition=Q(decision="pending"), name="assignee_pending"),
        ]

    def __str__(self):
        return f"{self.step} · {self.user}"


def attachment_path(instance, filename):
    """Random names on disk; the original name is kept in the row."""
    return f"items/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    class Purpose(models.TextChoices):
        ITEM = "item", _("正文附件")
        EVIDENCE = "evidence", _("传递凭证")
        ANSWER = "answer", _("反馈附件")
        MINUTES = "minutes", _("会议纪要")

    item = models.ForeignKey(Item, verbose_name=_("信息"), on_delete=models.CASCADE, related_name="attachments")
    purpose = models.CharField(_("用途"), max_length=20, choices=Purpose.choices, default=Purpose.ITEM)
    receiver = models.ForeignKey(Receiver, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments")
    transmission = models.ForeignKey(
        "Transmission", null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("文件"), upload_to=attachment_path)
    original_name = models.CharField(_("文件名"), max_length=255)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(User, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["item", "uploaded_at", "pk"]
        verbose_name = _("附件")
        verbose_name_plural = _("附件")

    def __str__(self):
        return self.original_name


class Transmission(models.Model):
    """How and when an approved item was sent (传递), with evidence."""

    item = models.ForeignKey(Item, verbose_name=_("信息"), on_delete=models.CASCADE, related_name="transmissions")
    methods = models.CharField(_("传递方式"), max_length=200)
    sent_at = models.DateTimeField(_("传递时间"), default=timezone.now)
    sent_by = models.ForeignKey(User, verbose_name=_("传递人"), on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("说明"), blank=True)
    written_record = models.TextField(_("电话记录"), blank=True, help_text=_("电话传递后须补充书面记录"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["item", "sent_at"]
        verbose_name = _("传递记录")
        verbose_name_plural = _("传递记录")

    @property
    def methods_display(self):
        return methods_label(self.methods)

    def __str__(self):
        return f"{self.item} · {self.sent_at:%Y-%m-%d %H:%M}"


class Question(models.Model):
    """A question or coordination request raised by a receiver, naming the
    responsible unit and a deadline (domain: within 1 working day)."""

    class Kind(models.TextChoices):
        QUESTION = "question", _("疑问")
        COORDINATION = "coordination", _("协调请求")

    class State(models.TextChoices):
        OPEN = "open", _("待答复")
        ANSWERED = "answered", _("已答复")

    item = models.ForeignKey(Item, verbose_name=_("信息"), on_delete=models.CASCADE, related_name="questions")
    receiver = models.ForeignKey(Receiver, verbose_name=_("接收方"), null=True, blank=True, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.QUESTION)
    text = models.TextField(_("内容"))
    raised_by = models.ForeignKey(User, verbose_name=_("提出人"), on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(_("提出时间"), default=timezone.now)
    responsible_unit = models.ForeignKey(OrgUnit, verbose_name=_("责任部门"), on_delete=models.PROTECT, related_name="+")
    due_at = models.DateTimeField(_("答复期限"), db_index=True)
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.OPEN, db_index=True)
    reply = models.TextField(_("答复"), blank=True)
    replied_by = models.ForeignKey(User, verbose_name=_("答复人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    # The deadline sweep's cursor (liaison.sweeps): the next moment it has
    # something to say about this case; NULL not looked at yet.
    notice_at = models.DateTimeField(_("下次提醒时间"), null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["notice_at"])

    class Meta:
        ordering = ["item", "raised_at"]
        verbose_name = _("疑问与协调")
        verbose_name_plural = _("疑问与协调")
        indexes = [cursor_index("notice_at", condition=Q(state="open"), name="question_open_notice_at")]

    def __str__(self):
        return f"{self.item} · {self.get_kind_display()}"


class ProgressUpdate(models.Model):
    item = models.ForeignKey(Item, verbose_name=_("信息"), on_delete=models.CASCADE, related_name="updates")
    receiver = models.ForeignKey(Receiver, null=True, blank=True, on_delete=models.CASCADE, related_name="updates")
    text = models.TextField(_("进展"))
    posted_by = models.ForeignKey(User, verbose_name=_("填报人"), on_delete=models.PROTECT, related_name="+")
    posted_at = models.DateTimeField(_("时间"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["item", "posted_at"]
        verbose_name = _("进展")
        verbose_name_plural = _("进展")

    def __str__(self):
        return f"{self.item} · {self.posted_at:%Y-%m-%d}"


from .export_models import ExportJob  # noqa: E402,F401  (background exports, kept in their own module)
from .ladder_models import EscalationRung  # noqa: E402,F401  (the escalation ladder, data)
from .signer_models import Phrase, StepChange  # noqa: E402,F401  (加签/减签/转办 records, 常用语)
from .loop_models import (  # noqa: E402,F401  (the closed loop's small operations, issue 19 §8)
    ChecklistEntry, ChecklistTick, Escalation, FollowTask, LoopEvent, Outcome, Seal, SealUse, StudyConfirmation,
)


class Delegation(models.Model):
    """A reviewer (principal) names a deputy (代理人) for a period. During
    [start, end) and until revoked the deputy sees and decides the
    principal's review steps; the decision records decided_by = deputy.
    Checked at request time (permissions.can_decide, visibility), so the
    rights begin and end exactly with the period without any task."""

    principal = models.ForeignKey(User, verbose_name=_("被代理人"), on_delete=models.PROTECT, related_name="delegations_given")
    deputy = models.ForeignKey(User, verbose_name=_("代理人"), on_delete=models.PROTECT, related_name="delegations_taken")
    start = models.DateTimeField(_("开始时间"))
    end = models.DateTimeField(_("结束时间"))
    reason = models.CharField(_("事由"), max_length=200, blank=True)
    created_by = models.ForeignKey(User, verbose_name=_("设置人"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("设置时间"), default=timezone.now)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(User, verbose_name=_("撤销人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-start", "-pk"]
        verbose_name = _("审核代理")
        verbose_name_plural = _("审核代理")
        constraints = [
            models.CheckConstraint(name="delegation_end_after_start", condition=Q(end__gt=models.F("start"))),
            models.CheckConstraint(name="delegation_not_self", condition=~Q(deputy=models.F("principal"))),
        ]
        indexes = [models.Index(fields=["deputy", "start", "end"]), models.Index(fields=["principal", "start"])]

    def __str__(self):
        return f"{self.deputy} → {self.principal}"

    def is_active_at(self, moment) -> bool:
        return self.revoked_at is None and self.start <= moment < self.end


class Chase(models.Model):
    """A reminder (催办) sent by hand about an overdue answer (``receiver``)
    or an overdue review step (``step``)."""

    item = models.ForeignKey(Item, verbose_name=_("信息"), on_delete=models.CASCADE, related_name="chases")
    receiver = models.ForeignKey(Receiver, verbose_name=_("接收方"), null=True, blank=True, on_delete=models.CASCADE, related_name="chases")
    step = models.ForeignKey(ReviewStep, verbose_name=_("审核环节"), null=True, blank=True, on_delete=models.CASCADE, related_name="chases")
    sent_by = models.ForeignKey(User, verbose_name=_("催办人"), on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(_("催办时间"), default=timezone.now)
    recipients = models.PositiveSmallIntegerField(_("通知人数"), default=0)

    class Meta:
        ordering = ["item", "-sent_at"]
        verbose_name = _("催办记录")
        verbose_name_plural = _("催办记录")
        indexes = [models.Index(fields=["item", "sent_at"])]

    def __str__(self):
        return f"{self.item} · {self.sent_at:%Y-%m-%d %H:%M}"


class OnTimeDay(models.Model):
    """Per department and local day: how many review steps closed (approved
    or returned) or unit answers came in that day, and how many of them by
    their due time. The on-time page's rates (infoflow.ontime) add up these
    rows, at most one a department and day, instead of every step and answer
    of the period (issue 12: ~60,000 steps a month at 100,000 items).

    Kept by the services in the decision's own transaction
    (infoflow.services.ontime_days: approve_step, return_step,
    answer_receiver); rebuilt from the steps and receivers by
    ``rebuild_ontime_days`` (migration 0012, the bench builders). A step's
    department is its item's (the item's unit never changes once created);
    an answer's is the receiving unit's."""

    class Kind(models.TextChoices):
        REVIEW = "review", _("审核环节")
        FEEDBACK = "feedback", _("反馈")

    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    day = models.DateField(_("日期"))
    unit = models.ForeignKey(OrgUnit, verbose_name=_("部门"), on_delete=models.PROTECT, related_name="+")
    done = models.PositiveIntegerField(_("完成数"), default=0)
    done_on_time = models.PositiveIntegerField(_("按时完成数"), default=0)

    class Meta:
        verbose_name = _("按时率日汇总")
        verbose_name_plural = _("按时率日汇总")
        constraints = [models.UniqueConstraint(fields=["kind", "day", "unit"], name="ontime_day_per_unit")]

    def __str__(self):
        return f"{self.kind} {self.day} {self.unit_id}: {self.done_on_time}/{self.done}"


class OverdueDay(models.Model):
    """How many open review steps (``kind`` "step") and receivers owing a
    receipt or an answer on a transmitted item (``kind`` "receiver") have
    their first deadline on a local day, per the row's receiving unit (a
    receiver's; None for a step) and its copies of its item's columns
    (``ItemCopies``: unit, state, confidentiality, "all staff"), so that the
    on-time page's overdue counts add up these rows for the days before today
    with the visibility rule's column tests, instead of reading every overdue
    row (issue 12: 20,000 steps and 19,400 receivers at 100,000 items).

    A step's deadline is its ``due_at`` while open; a receiver's the first it
    can miss: the earlier of its receipt and answer limits while sent, its
    answer limit once acknowledged (``ontime.overdue_receiver_parts``' two
    parts together). Kept by database triggers on both tables
    (infoflow.overdue_days), so no write path leaves it stale. The rows are
    deltas, as ItemMonth's: a key's count is the sum of its rows' ``n``;
    ``overdue_days.compact`` folds them, and days of past months into the
    first day of their month (the counts only ask "before today")."""

    STEP, RECEIVER = "step", "receiver"  # as infoflow.overdue_days writes them

    kind = models.CharField(max_length=10)
    # No database constraints, as the month totals' (migration 0025).
    unit = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.DO_NOTHING, related_name="+",
                             db_constraint=False, db_index=False)
    item_unit = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.DO_NOTHING, related_name="+",
                                  db_constraint=False, db_index=False)
    item_state = models.CharField(max_length=20, blank=True)
    item_confidentiality = models.CharField(max_length=20, blank=True)
    item_to_all_staff = models.BooleanField(default=False)
    day = models.DateField()
    n = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("逾期日汇总")
        verbose_name_plural = _("逾期日汇总")
        # Not unique: delta rows appended by the triggers. Read by kind and day (the days before today).
        indexes = [models.Index(fields=["kind", "day"], name="overdue_day_kind_day_idx")]

    def __str__(self):
        return f"{self.kind} {self.day} {self.unit_id} {self.item_unit_id}: {self.n}"


class MonthTotal(models.Model):
    """The columns of a month total (ItemMonth, GrantMonth): a department,
    the local month of submission, the item's state, confidentiality and
    "all staff" flag, and ``n``, a delta of the key's count."""

    # No database constraint (migration 0025): the item table's delete trigger appends a -1 row for the item's
    # department, and a whole-table delete (``manage.py flush``, a restore) may have removed the department first;
    # SQLite then refused the flush at commit. The ORM still cascades a department's deletion to these rows.
    unit = models.ForeignKey(OrgUnit, verbose_name=_("部门"), on_delete=models.CASCADE, related_name="+",
                             db_constraint=False)
    month = models.DateField(_("月份"), null=True, blank=True)
    state = models.CharField(_("处理状态"), max_length=20)
    confidentiality = models.CharField(_("密级"), max_length=20)
    to_all_staff = models.BooleanField(_("全体员工"), default=False)
    n = models.IntegerField(_("信息数"), default=0)

    class Meta:
        abstract = True


class ItemMonth(MonthTotal):
    """How many items there are per department, local month of submission
    (None: not submitted), state, confidentiality and "all staff" flag: the
    columns the visibility rule's column tests read (rules 2–5 of
    infoflow.visibility), so that a count of the items a user may see adds up
    these rows for the column rules and counts only the granted items those
    rules leave out (infoflow.item_counts; issue 12: the assessment charts and
    the whole log's count read every item of the year otherwise).

    Kept by database triggers on the item table (infoflow.item_months), so no
    write path — services, admin, ``QuerySet.update``, ``bulk_create``,
    deletes — leaves it stale; rebuilt from the items by
    ``item_months.rebuild``. The month is the local month in settings.TIME_ZONE
    as installed by migration 0021 (like OnTimeDay's local days). The rows
    are deltas (migration 0023): a key's count is the sum of its rows' ``n``,
    folded into one row every few minutes (``item_months.compact``)."""


    class Meta:
        verbose_name = _("信息月汇总")
        verbose_name_plural = _("信息月汇总")
        # Not unique: the triggers append delta rows (+1, -1) of a key, never update one (migration 0023),
        # so writers never wait on each other; readers add up n per key.
        indexes = [models.Index(fields=["unit", "month", "state", "confidentiality", "to_all_staff"],
                                name="item_month_key_idx")]

    def __str__(self):
        return f"{self.unit_id} {self.month} {self.state} {self.confidentiality} {self.to_all_staff}: {self.n}"


class GrantMonth(MonthTotal):
    """``ItemMonth`` for the items one user holds a view grant on (rule 1 of
    infoflow.visibility): per user, department, local month of submission,
    state, confidentiality and "all staff" flag, how many. The granted items
    a user's column rules leave out are added up from these rows instead of
    being read one by one from the grants (a leader holds 7,450 at 100,000
    items; infoflow.item_counts, issue 12).

    Kept by database triggers on the grant table and the item table
    (infoflow.grant_months); rebuilt from the grants by
    ``grant_months.rebuild``. The rows are deltas, as ItemMonth's: a key's
    count is the sum of its rows' ``n`` (``grant_months.compact`` folds them)."""

    # No database constraint, as the unit's (migration 0025): the grant triggers append -1 rows while a flush
    # may already have removed the user.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                             db_constraint=False)

    class Meta:
        verbose_name = _("授权信息月汇总")
        verbose_name_plural = _("授权信息月汇总")
        # Not unique, as ItemMonth's: delta rows appended by the triggers.
        indexes = [models.Index(fields=["user", "unit", "month", "state", "confidentiality", "to_all_staff"],
                                name="grant_month_key_idx")]

    def __str__(self):
        return f"{self.user_id} {self.unit_id} {self.month} {self.state}: {self.n}"
