"""factory_boy factories for our models."""
import factory
from django.contrib.auth import get_user_model

from officers.models import Duty, ExternalContact, ExternalUnit, Officer, OrgUnit, RoleAssignment, StaffProfile

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("name", locale="zh_CN")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.django.Password(PASSWORD)
    profile = factory.RelatedFactory("tests.factories.StaffProfileFactory", factory_related_name="user")


class StaffProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffProfile
        django_get_or_create = ("user",)

    user = factory.SubFactory(UserFactory, profile=None)
    unit = None
    phone = "13800000000"


class OrgUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgUnit
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"unit{n}")
    name = factory.Sequence(lambda n: f"单位{n}")
    number_prefix = factory.Sequence(lambda n: f"U{n}")


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleAssignment
        django_get_or_create = ("user", "role")

    user = factory.SubFactory(UserFactory)
    role = RoleAssignment.Role.SECRETARIAT


class OfficerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Officer

    user = factory.SubFactory(UserFactory, profile__unit=factory.SelfAttribute("...unit"))
    unit = factory.SubFactory(OrgUnitFactory)
    phone = "13812345678"
    is_primary = True


class DutyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Duty
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"D{n:02d}")
    name = factory.Sequence(lambda n: f"职责{n}")


class ExternalUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExternalUnit
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"外部单位{n}")
    kind = ExternalUnit.Kind.CUSTOMER


class ExternalContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExternalContact

    external_unit = factory.SubFactory(ExternalUnitFactory)
    name = factory.Sequence(lambda n: f"联系人{n}")
    phone = "13900000000"
