"""Demo data of issue 15: a signer added to an item in review (加签) and a
reviewer's own common phrases (常用语). Runs after infoflow.demo; idempotent."""
from django.contrib.auth import get_user_model

from .models import Item, Phrase, ReviewStep, StepChange
from .services.signers import AFTER, add_signer

PHRASES = {"head_market": ["同意，请分管领导审定。", "请补充客户名单后再报。"]}


def seed() -> int:
    """Create what is missing; returns how many rows were created."""
    users = {u.username: u for u in get_user_model().objects.filter(username__in=["head_market", "legal"])}
    if len(users) < 2:
        return 0  # no demo organisation to build on
    created = 0
    for username, texts in PHRASES.items():
        for text in texts:
            created += Phrase.objects.get_or_create(user=users[username], text=text)[1]
    if not StepChange.objects.exists():
        step = (
            ReviewStep.objects.filter(state=ReviewStep.State.OPEN, item__state=Item.State.IN_REVIEW,
                                      item__direction="external", assignees__user=users["head_market"],
                                      assignees__decision="pending")
            .select_related("item").order_by("pk").first()
        )
        if step is not None:
            add_signer(step=step, actor=users["head_market"], person=users["legal"], position=AFTER,
                       reason="涉及合同条款，请法务审核后再报分管领导。")
            created += 1
    return created
