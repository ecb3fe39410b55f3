import pytest
from django_otp.oath import TOTP

from dengbao.models import AdminDuty
from officers.models import RoleAssignment
from tests.factories import RoleFactory, UserFactory


def code_for(device) -> str:
    """The code the authenticator app would show now for ``device``."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


@pytest.fixture
def level3(settings):
    settings.SECURITY_LEVEL = 3
    return settings


@pytest.fixture
def sysadmin(db):
    user = UserFactory(username="sysadmin", is_staff=True)
    AdminDuty.objects.create(user=user, duty=AdminDuty.Duty.SYSTEM)
    return user


@pytest.fixture
def secadmin(db):
    user = UserFactory(username="secadmin", is_staff=True)
    AdminDuty.objects.create(user=user, duty=AdminDuty.Duty.SECURITY)
    return user


@pytest.fixture
def auditor3(db):
    user = UserFactory(username="auditor3", is_staff=True)
    RoleFactory(user=user, role=RoleAssignment.Role.SUPERVISION)
    return user
