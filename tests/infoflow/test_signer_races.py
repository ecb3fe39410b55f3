"""Races on PostgreSQL for 加签 / 转办 / batch approval (issue 15): two at once
cannot double-decide a step or skip one."""
import pytest

from infoflow.models import Item, ReviewStep, StepAssignee, StepChange
from infoflow.services.batch import approve_many
from infoflow.services.chain import approve_step, open_step, submit_item
from infoflow.services.signers import add_signer, remove_signer
from infoflow.services.transfer import transfer_step
from liaison.errors import InvalidInput, LiaisonError, StepClosed
from tests.factories import UserFactory
from tests.infoflow.test_races import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def external(org, make_item):
    """An external item: 部门负责人 (head_market) → 分管领导 (leader)."""
    return submit_item(item=make_item(direction="external"), actor=org["officer_market"])


def current(item):
    return open_step(Item.objects.get(pk=item.pk))


def test_add_before_and_approve_at_once_cannot_skip_the_signer(org, external):
    """The head approves while (in another request) she adds a signer before
    herself: either the approval wins (the add then finds the step closed) or
    the add wins (the approval then finds the step waiting) — never both."""
    step = current(external)
    safety = UserFactory(username="safety")

    results = run_together([
        lambda: approve_step(step=step, actor=org["head_market"], opinion="同意"),
        lambda: add_signer(step=step, actor=org["head_market"], person=safety, position="before", reason="x"),
    ])

    errors = [r for r in results if isinstance(r, StepClosed)]
    assert len(errors) == 1, results
    step.refresh_from_db()
    if isinstance(results[0], StepClosed):  # the add won: the signer decides first
        assert step.state == ReviewStep.State.WAITING
        assert [a.user for a in current(external).assignees.all()] == [safety]
    else:  # the approval won: nothing was added
        assert step.state == ReviewStep.State.APPROVED and not StepChange.objects.exists()
        assert [a.user.username for a in current(external).assignees.all()] == ["leader"]


def test_two_transfers_at_once_give_one(org, external):
    step = current(external)
    one, two = UserFactory(username="one"), UserFactory(username="two")

    results = run_together([
        lambda: transfer_step(step=step, actor=org["head_market"], person=one, reason="a"),
        lambda: transfer_step(step=step, actor=org["head_market"], person=two, reason="b"),
    ])

    assert len([r for r in results if isinstance(r, StepClosed)]) == 1, results
    assert StepChange.objects.filter(kind=StepChange.Kind.TRANSFER).count() == 1
    assert StepAssignee.objects.filter(step=step, decision=StepAssignee.Decision.PENDING).count() == 1


def test_transfer_and_approve_at_once_decide_once(org, external):
    step = current(external)
    other = UserFactory(username="other")

    results = run_together([
        lambda: transfer_step(step=step, actor=org["head_market"], person=other, reason="a"),
        lambda: approve_step(step=step, actor=org["head_market"], opinion="同意"),
    ])

    assert len([r for r in results if isinstance(r, StepClosed)]) == 1, results
    decided = StepAssignee.objects.filter(step=step).exclude(decision=StepAssignee.Decision.PENDING)
    assert decided.count() == 1


def test_two_batch_approvals_at_once_decide_each_step_once(org, make_item):
    items = [submit_item(item=make_item(needs_coordination=True), actor=org["officer_market"]) for _ in range(4)]
    ids = [current(i).pk for i in items]

    results = run_together([
        lambda: approve_many(step_ids=ids, actor=org["head_market"], opinion="同意"),
        lambda: approve_many(step_ids=list(reversed(ids)), actor=org["head_market"], opinion="同意"),
    ])

    passed = sum(len(r.passed) for r in results)
    failed = sum(len(r.failed) for r in results)
    assert passed == 4 and failed == 4, results
    assert StepAssignee.objects.filter(step_id__in=ids, decision=StepAssignee.Decision.APPROVED).count() == 4
    assert set(Item.objects.filter(pk__in=[i.pk for i in items]).values_list("state", flat=True)) == {"approved"}


def test_remove_and_approve_by_the_signer_at_once(org, external):
    step = current(external)
    safety = UserFactory(username="safety")
    change = add_signer(step=step, actor=org["head_market"], person=safety, position="parallel", reason="x")

    results = run_together([
        lambda: remove_signer(change=change, actor=org["head_market"], reason="y"),
        lambda: approve_step(step=step, actor=safety, opinion="同意"),
    ])

    assert len([r for r in results if isinstance(r, LiaisonError)]) == 1, results
    removed = StepChange.objects.filter(kind=StepChange.Kind.REMOVE).exists()
    approved = StepAssignee.objects.filter(step=step, user=safety, decision="approved").exists()
    assert removed != approved


def test_two_adds_after_at_once_keep_the_route_consistent(org, external):
    step = current(external)
    a, b = UserFactory(username="sa"), UserFactory(username="sb")

    results = run_together([
        lambda: add_signer(step=step, actor=org["head_market"], person=a, position="after", reason="x"),
        lambda: add_signer(step=step, actor=org["head_market"], person=b, position="after", reason="y"),
    ])

    assert not [r for r in results if isinstance(r, Exception) and not isinstance(r, InvalidInput)], results
    item = Item.objects.get(pk=external.pk)
    assert len(item.route_snapshot) == 4  # both added, neither lost (the item row serialises them)
    approve_step(step=step, actor=org["head_market"])
    first = current(external)
    approve_step(step=first, actor=first.assignees.get().user)
    second = current(external)
    approve_step(step=second, actor=second.assignees.get().user)
    assert [x.user.username for x in current(external).assignees.all()] == ["leader"]
