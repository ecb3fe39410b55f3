"""Persona fixtures: a small organisation like the demo one.

market (NX): head_market, officer_market; prod (NB): head_prod, officer_prod;
both supervised by `leader`; `secretary`, `gm`, `legal`, `auditor` hold
organisation roles; `employee` works in market with no liaison role;
`outsider` works in a third unit (finance, NC) with its own head.
"""
import pytest

from tests.factories import OfficerFactory, OrgUnitFactory, RoleFactory, UserFactory


@pytest.fixture
def leader(db):
    return UserFactory(username="leader", first_name="李四")


@pytest.fixture
def head_market(db):
    return UserFactory(username="head_market", first_name="王五")


@pytest.fixture
def head_prod(db):
    return UserFactory(username="head_prod", first_name="赵六")


@pytest.fixture
def market(db, head_market, leader):
    return OrgUnitFactory(code="market", name="市场部", number_prefix="NX", head=head_market, supervising_leader=leader)


@pytest.fixture
def prod(db, head_prod, leader):
    return OrgUnitFactory(code="prod", name="生产部", number_prefix="NB", head=head_prod, supervising_leader=leader)


@pytest.fixture
def finance(db):
    head = UserFactory(username="head_finance", first_name="钱七")
    return OrgUnitFactory(code="finance", name="财务部", number_prefix="NC", head=head)


@pytest.fixture
def officer_market(market):
    return OfficerFactory(unit=market, user__username="officer_market", user__first_name="张三").user


@pytest.fixture
def officer_prod(prod):
    return OfficerFactory(unit=prod, user__username="officer_prod", user__first_name="孙八").user


@pytest.fixture
def secretary(db):
    user = UserFactory(username="secretary", first_name="周秘书", is_staff=True)
    RoleFactory(user=user, role="secretariat")
    RoleFactory(user=user, role="hr_admin")
    return user


@pytest.fixture
def gm(db):
    user = UserFactory(username="gm", first_name="吴总")
    RoleFactory(user=user, role="general_manager")
    return user


@pytest.fixture
def legal(db):
    user = UserFactory(username="legal", first_name="郑法务")
    RoleFactory(user=user, role="legal")
    return user


@pytest.fixture
def auditor(db):
    user = UserFactory(username="auditor", first_name="冯监察")
    RoleFactory(user=user, role="supervision")
    return user


@pytest.fixture
def employee(market):
    return UserFactory(username="employee", first_name="陈员工", profile__unit=market)


@pytest.fixture
def outsider(finance):
    return UserFactory(username="outsider", first_name="褚外人", profile__unit=finance)
