"""Helpers for the portal page tests: items in given states, made through
the services so grants and history are real."""
from infoflow.services.chain import approve_step, submit_item
from infoflow.services.delivery import transmit_item


def submitted(make_item, org, **fields):
    fields.setdefault("direction", "external")
    return submit_item(item=make_item(**fields), actor=org["officer_market"])


def approved(make_item, org, **fields):
    item = submitted(make_item, org, **fields)
    for reviewer in ("head_market", "leader"):
        step = item.steps.get(state="open")
        approve_step(step=step, actor=org[reviewer], opinion="同意")
    item.refresh_from_db()
    return item


def transmitted(make_item, org, **fields):
    item = approved(make_item, org, **fields)
    transmit_item(item=item, actor=org["officer_market"], methods=["email"], note="已发邮件")
    item.refresh_from_db()
    return item
