import sys

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from liaison.management.commands import seed_demo as seed_demo_command
from liaison.models import CalendarYear
from officers.models import ChangeFiling, Duty, ExternalUnit, Officer, OrgUnit, Registration
from officers.roles import roles_of
from officers.selectors import units_without_active_officer

CONTRACT_ACCOUNTS = [
    "admin", "secretary", "officer_market", "officer_prod", "head_market", "head_prod",
    "leader", "gm", "legal", "employee", "auditor",
]


@pytest.fixture
def seeded(db, settings):
    settings.DEBUG = True
    with time_machine.travel("2026-03-02 10:00+08:00", tick=False):
        call_command("seed_demo", stdout=open("/dev/null", "w"))


def row_counts():
    """Rows of every model, history tables included."""
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


@pytest.mark.django_db
def test_every_contract_account_logs_in_with_the_demo_password(seeded, client):
    for username in CONTRACT_ACCOUNTS:
        response = client.post("/accounts/login/", {"username": username, "password": "demo12345"})

        assert response.status_code == 302, username
        assert response.url == "/"
        client.post("/accounts/logout/")


@pytest.mark.django_db
def test_demo_password_comes_from_the_environment(db, settings, monkeypatch):
    settings.DEBUG = True
    monkeypatch.setenv("DEMO_PASSWORD", "another-demo-pass")

    call_command("seed_demo", stdout=open("/dev/null", "w"))

    secretary = get_user_model().objects.get(username="secretary")
    assert secretary.check_password("another-demo-pass")
    assert not secretary.check_password("demo12345")


@pytest.mark.django_db
def test_accounts_hold_the_contract_roles(seeded):
    users = {u.username: u for u in get_user_model().objects.filter(username__in=CONTRACT_ACCOUNTS)}

    assert users["admin"].is_superuser and users["admin"].is_staff
    secretary = roles_of(users["secretary"])
    assert secretary.is_secretariat and secretary.is_hr and secretary.is_archivist
    assert users["secretary"].is_staff
    assert roles_of(users["auditor"]).is_supervision and users["auditor"].is_staff
    assert roles_of(users["gm"]).is_general_manager
    assert roles_of(users["legal"]).is_legal
    market, prod = OrgUnit.objects.get(code="market"), OrgUnit.objects.get(code="prod")
    assert market.head == users["head_market"] and prod.head == users["head_prod"]
    assert market.supervising_leader == users["leader"] == prod.supervising_leader
    assert roles_of(users["officer_market"]).officer_unit_ids == {market.pk}
    assert roles_of(users["officer_prod"]).officer_unit_ids == {prod.pk}
    employee = roles_of(users["employee"])
    assert employee.unit_id == market.pk
    assert not (employee.roles or employee.officer_unit_ids or employee.headed_unit_ids or employee.supervised_unit_ids)
    assert not users["employee"].is_staff and not users["officer_market"].is_staff


@pytest.mark.django_db
def test_organisation_has_units_external_units_duties_and_a_flagged_unit(seeded):
    units = OrgUnit.objects.all()
    prefixes = {unit.number_prefix for unit in units}

    assert units.count() >= 4
    assert {"NX", "NB", "NC"} <= prefixes and "ND" not in prefixes  # ND is the archive's prefix
    assert len(prefixes) == units.count()
    assert [unit.name for unit in units_without_active_officer()] == ["技术部"]
    externals = ExternalUnit.objects.prefetch_related("contacts")
    assert {e.kind for e in externals} >= {"customer", "supplier", "regulator", "association", "media"}
    assert all(e.contacts.all() and e.responsible_unit_id for e in externals)
    assert set(Duty.objects.values_list("name", flat=True)) >= {
        "收集信息", "整理编写", "传递报送", "组织会议", "维护信息系统", "协调沟通", "保密管理",
    }
    market_officer = Officer.objects.get(user__username="officer_market")
    assert market_officer.phone and market_officer.duties.count() >= 3
    assert market_officer.induction_done_on and market_officer.confidentiality_signed_on
    assert Officer.objects.filter(status="active", induction_done_on__isnull=True).exists()
    assert Officer.objects.filter(status="active", confidentiality_signed_on__isnull=True).exists()


@pytest.mark.django_db
def test_market_regulator_registration_has_a_late_filing(seeded):
    registration = Registration.objects.get(body__kind="regulator")

    filings = list(registration.filings.all())

    assert registration.unit.code == "market"
    assert len(filings) == 1
    assert filings[0].filed_at is not None and filings[0].is_late()
    assert ChangeFiling.objects.filter(filed_at__isnull=True).exists()  # one still to file


@pytest.mark.django_db
def test_holidays_of_the_current_year_are_loaded(seeded):
    assert CalendarYear.objects.filter(year=2026).exists()


@pytest.mark.django_db
def test_second_run_creates_nothing_and_writes_no_history(seeded, settings):
    before = row_counts()

    with time_machine.travel("2026-03-09 10:00+08:00", tick=False):
        call_command("seed_demo", stdout=open("/dev/null", "w"))

    assert row_counts() == before


@pytest.mark.django_db
def test_second_run_keeps_changes_made_in_the_demo(seeded):
    unit = OrgUnit.objects.get(code="market")
    unit.name = "市场营销部"
    unit.save()

    call_command("seed_demo", stdout=open("/dev/null", "w"))

    assert OrgUnit.objects.get(code="market").name == "市场营销部"


@pytest.mark.django_db
def test_refuses_to_run_with_debug_off(db, settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DJANGO_DEBUG 未开启"):
        call_command("seed_demo")

    assert not get_user_model().objects.exists()


@pytest.mark.django_db
def test_force_runs_with_debug_off(db, settings):
    settings.DEBUG = False

    call_command("seed_demo", "--force", stdout=open("/dev/null", "w"))

    assert get_user_model().objects.filter(username="secretary").exists()


def test_demo_modules_skip_apps_without_demo_data(monkeypatch):
    monkeypatch.setattr(seed_demo_command, "DEMO_MODULES", ["officers.demo", "archive.no_such_demo"])

    names = [module.__name__ for module in seed_demo_command.demo_modules()]

    assert names == ["officers.demo"]


def test_demo_module_with_a_broken_import_is_not_skipped(monkeypatch, tmp_path):
    (tmp_path / "broken_demo.py").write_text("import no_such_package_for_liaison\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(seed_demo_command, "DEMO_MODULES", ["broken_demo"])

    with pytest.raises(ModuleNotFoundError):
        seed_demo_command.demo_modules()
    sys.modules.pop("broken_demo", None)
