"""Publication fixtures: items driven through their route by the services,
the channels and columns of the data migration (put back after a
transactional test's flush) and a distribution list."""
import importlib

import pytest
from django.apps import apps

from infoflow.models import Item, ReviewStep, RouteRule, RouteStage, StageKind
from infoflow.services.chain import approve_step, open_step, submit_item, take_step
from publication.models import BulletinCategory, Channel, DistributionList
from tests.infoflow.conftest import NOW, default_routes, frozen, make_item, org  # noqa: F401  (fixtures)

__all__ = ["NOW", "drive"]


@pytest.fixture(autouse=True)
def publication_data(request):
    if "django_db" not in {m.name for m in request.node.iter_markers()} and not (
        {"db", "transactional_db"} & set(request.fixturenames)
    ):
        return
    request.getfixturevalue("default_routes")
    if not Channel.objects.exists():
        importlib.import_module("publication.migrations.0002_default_channels_and_categories").forwards(apps, None)
        importlib.import_module("publication.migrations.0003_intranet_keeps_its_name").forwards(apps, None)


@pytest.fixture
def email_channel(db):
    staff = DistributionList.objects.create(name="全体员工", addresses="all@example.com\nnews@example.com")
    return Channel.objects.create(code="mail", name="全员邮件", kind=Channel.Kind.EMAIL, distribution_list=staff,
                                  sort_order=20)


@pytest.fixture
def bulletin_channel(db):
    return Channel.objects.get(code="intranet")


@pytest.fixture
def wechat(db):
    return Channel.objects.get(code="wechat_oa")


@pytest.fixture
def news(db):
    return BulletinCategory.objects.get(code="news")


def drive(item, org, *, until_stage=None) -> Item:
    """Approve the item's open stages one by one (the pool taken by the
    secretariat) until it leaves review or reaches the stage named ``until_stage``."""
    item.refresh_from_db()
    while item.state == Item.State.IN_REVIEW:
        step = open_step(item)
        if until_stage is not None and step.name == until_stage:
            break
        assignees = list(step.assignees.all())
        if step.decider == "secretariat_pool":
            if not any(a.taken_at for a in assignees):
                take_step(step=step, actor=org["secretary"])
            approve_step(step=ReviewStep.objects.get(pk=step.pk), actor=org["secretary"], opinion="同意")
        else:
            for assignee in assignees:
                approve_step(step=ReviewStep.objects.get(pk=step.pk), actor=assignee.user, opinion="同意")
        item.refresh_from_db()
    return item


@pytest.fixture
def publish(org, make_item, frozen):
    """publish(confidentiality=..., **fields) → an approved publication item of the market department."""

    def make(confidentiality="public", **fields):
        values = {"kind": "publication", "release_channels": ["intranet"], "confidentiality": confidentiality,
                  "subject": "市场部完成一季度客户满意度调查", "summary": "满意度达到百分之九十二。"}
        values.update(fields)
        item = submit_item(item=make_item(**values), actor=org["officer_market"])
        return drive(item, org)

    return make


@pytest.fixture
def recheck_route(db):
    """A publication route ending with the secretariat's re-check (复核) after the leader."""
    rule = RouteRule.objects.create(name="信息发布（发布前复核）", priority=5, for_publication=True)
    for order, (name, decider, may_edit, kind) in enumerate([
        ("秘书处初审", "secretariat_pool", True, StageKind.REVIEW),
        ("部门负责人", "unit_head", False, StageKind.REVIEW),
        ("分管领导", "supervising_leader", False, StageKind.REVIEW),
        ("发布前复核", "secretariat_pool", True, StageKind.RECHECK),
    ], start=1):
        RouteStage.objects.create(rule=rule, order=order, name=name, decider=decider, may_edit=may_edit, kind=kind)
    return rule
