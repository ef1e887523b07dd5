from datetime import date
from decimal import Decimal

import factory
from allauth.account.models import EmailAddress

from portal.enums import OrganizationKind, Role
from portal.models import Invitation, Membership, Organization, Signatory, Tenant, User

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        """A verified primary address, as after sign-up (pass verified=False to skip)."""
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class TenantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tenant

    slug = factory.Sequence(lambda n: f"region-{n}")
    name = factory.Sequence(lambda n: f"Région test {n}")
    region_code = "32"
    contract_start = date(2023, 1, 1)
    contract_end = date(2026, 12, 31)
    envelope = Decimal("210000.00")


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    tenant = factory.SubFactory(TenantFactory)
    kind = OrganizationKind.CNM
    name = factory.Sequence(lambda n: f"Organisme {n}")


class SignatoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Signatory

    tenant = factory.SubFactory(TenantFactory)
    organization = factory.SubFactory(OrganizationFactory, tenant=factory.SelfAttribute("..tenant"))
    person_name = factory.Faker("name", locale="fr_FR")
    title = "Président"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    tenant = factory.SubFactory(TenantFactory)
    role = Role.INSTRUCTOR
    organization = factory.LazyAttribute(
        lambda o: None if o.role == Role.ADMIN else OrganizationFactory(
            tenant=o.tenant,
            kind=OrganizationKind.PILOT if o.role == Role.PILOT else OrganizationKind.CNM))


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    tenant = factory.SubFactory(TenantFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    role = Role.ADMIN
