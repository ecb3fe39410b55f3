"""The item page's and print page's item read through SQL compiled once per
user's rule (infoflow.page_item, compiled.rows_for; issue 12): the item the
visibility selector gives, for every persona, a 404 where it gives none, and
a deputy's sight that follows the moment of each request."""
import datetime as dt

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from infoflow import compiled, selectors
from infoflow.models import Item
from infoflow.page_item import page_item
from infoflow.page_probes import page_probes
from infoflow.services.delegation import create_delegation
from tests.infoflow.conftest import NOW
from tests.infoflow.portal import submitted, transmitted

pytestmark = pytest.mark.django_db

PERSONAS = ["officer_market", "officer_prod", "head_market", "head_prod", "leader", "secretary", "gm", "legal",
            "auditor", "employee", "outsider"]


def _fields(obj):
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def test_the_item_is_the_selectors_item_for_every_persona(org, make_item):
    items = [transmitted(make_item, org), submitted(make_item, org), make_item(),
             submitted(make_item, org, confidentiality="restricted")]
    seen = 0
    for name in PERSONAS:
        user = org[name]
        for item in items * 2:  # compiled on the first, reused with the other ids
            expected = selectors.item_detail(user).annotate(**page_probes(user)).filter(pk=item.pk).first()
            if expected is None:
                with pytest.raises(Http404):
                    page_item(user, item.pk, probes=True)
                with pytest.raises(Http404):
                    page_item(user, item.pk)
                continue
            seen += 1
            got = page_item(user, item.pk, probes=True)
            assert _fields(got) == _fields(expected)
            for name_ in page_probes(user):
                assert getattr(got, name_) == getattr(expected, name_)
            with CaptureQueriesContext(connection) as queries:  # the joined rows came with it
                assert (got.unit.name, got.initiator.username) == (expected.unit.name, expected.initiator.username)
            assert len(queries) == 0
            assert _fields(page_item(user, item.pk)) == _fields(expected)
    assert seen  # some persona sees some item, some do not


def test_a_missing_item_or_a_bad_id_is_a_404(org):
    for pk in (987654, "x", None):
        with pytest.raises(Http404):
            page_item(org["secretary"], pk)


def test_a_deputy_sees_the_principals_item_only_while_the_delegation_is_in_force(org, make_item, frozen):
    # outsider (finance) sees no market item but through head_market's delegation
    # of what head_market holds a grant on (rule 6 is rule 1 of the principal).
    from guardian.shortcuts import assign_perm

    item = submitted(make_item, org, direction="internal")
    assign_perm("view_item", org["head_market"], item)
    create_delegation(actor=org["head_market"], principal=org["head_market"], deputy=org["outsider"],
                      start=NOW + dt.timedelta(hours=1), end=NOW + dt.timedelta(days=1), reason="出差")
    deputy = org["outsider"]
    answers = []
    for moment in (NOW, NOW + dt.timedelta(hours=2), NOW + dt.timedelta(days=2)):
        frozen.move_to(moment)  # the same compiled SQL, each request's moment
        sees = selectors.item_detail(deputy).filter(pk=item.pk).exists()
        try:
            got = page_item(deputy, item.pk).pk
        except Http404:
            got = None
        assert got == (item.pk if sees else None)
        answers.append(sees)
    assert answers == [False, True, False]


def test_a_changed_role_is_a_new_rule(org, make_item):
    from officers.models import RoleAssignment

    item = submitted(make_item, org)
    user = org["outsider"]
    with pytest.raises(Http404):
        page_item(user, item.pk)
    RoleAssignment.objects.create(user=user, role=RoleAssignment.Role.SECRETARIAT)
    user = type(user).objects.get(pk=user.pk)  # the next request's user: roles read afresh
    assert page_item(user, item.pk).pk == item.pk


def _now_inside(item_id):
    # A rule reading the clock itself: the compiled SQL would keep its first moment.
    return Item.objects.filter(pk=item_id, created_at__lte=timezone.now())


def test_rows_for_refuses_a_moment_it_was_not_given(org, make_item):
    item = make_item()
    with pytest.raises(ValueError):
        compiled.rows_for(("test.now_inside",), lambda item_id, moment: _now_inside(item_id), item.pk,
                          moment=timezone.now())


def test_rows_for_puts_each_moment_in_place(org, make_item):
    item = make_item()

    def build(item_id, moment):
        return Item.objects.filter(pk=item_id, created_at__lte=moment)

    assert [i.pk for i in compiled.rows_for(("test.created_by",), build, item.pk, moment=timezone.now())] == [item.pk]
    before = item.created_at - dt.timedelta(seconds=1)
    assert compiled.rows_for(("test.created_by",), build, item.pk, moment=before) == []
