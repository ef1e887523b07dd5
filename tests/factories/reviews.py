"""Factories of instruction and committee. `FiledDossierFactory` builds a filed dossier
directly (status, reference, rules snapshot, eligibility results) without going through the
applicant's steps."""

from decimal import Decimal

import factory
from django.utils import timezone

from applications.models import Dossier, Partner
from calls.versioning import rules_snapshot
from portal.enums import OrganizationKind, Role
from reviews.models import (Assignment, CommitteeMember, CommitteeSession, ConflictDeclaration,
                            Review)

from .applications import StructureFactory, make_siret
from .calls import CallFactory
from .portal import MembershipFactory, OrganizationFactory


class FiledDossierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dossier

    call = factory.SubFactory(CallFactory)
    tenant = factory.SelfAttribute("call.tenant")
    structure = factory.SubFactory(StructureFactory)
    status = "submitted"
    title = factory.Sequence(lambda n: f"Projet de coopération {n}")
    reference = factory.Sequence(lambda n: f"HDF-2024-COOP-{n:04d}")
    requested_amount = Decimal("12000.00")
    submitted_at = factory.LazyFunction(timezone.now)
    first_submitted_at = factory.SelfAttribute("submitted_at")
    eligibility_results = factory.LazyFunction(list)

    @factory.lazy_attribute
    def rules_snapshot(self):
        return rules_snapshot(self.call, None, getattr(self, "category", None))


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    dossier = factory.SubFactory(FiledDossierFactory)
    name = factory.Sequence(lambda n: f"Partenaire {n}")
    siret = factory.Sequence(lambda n: make_siret(50000 + n))
    role = "Coproduction"


def officer(tenant, kind=OrganizationKind.CNM, role=Role.INSTRUCTOR, **kwargs):
    """A member of `tenant` for the funder `kind` (its Organization created if needed)."""
    from django_scopes import scope

    from portal.models import Organization

    with scope(tenant=tenant):
        org = Organization.objects.filter(tenant=tenant, kind=kind).first() or OrganizationFactory(
            tenant=tenant, kind=kind, name=f"{OrganizationKind(kind).label} {tenant.slug}")
        return MembershipFactory(tenant=tenant, role=role, organization=org, **kwargs).user


class ConflictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConflictDeclaration

    structure_name = "Structure liée"
    nature = "Ancien salarié"


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    dossier = factory.SubFactory(FiledDossierFactory, status="in_review")
    funder = "cnm"


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    dossier = factory.SubFactory(FiledDossierFactory, status="in_review")
    funder = "cnm"
    status = "submitted"
    scores = factory.LazyFunction(dict)
    total = Decimal("12.00")
    opinion = "Projet solide."
    recommendation = "favourable"
    proposed_amount = Decimal("10000.00")
    submitted_at = factory.LazyFunction(timezone.now)


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommitteeSession

    title = factory.Sequence(lambda n: f"Comité {n}")
    # today in Paris, as the portal counts days (between midnight and 1 a.m. in Paris, 2 a.m.
    # in summer, the UTC date is still the day before)
    date = factory.LazyFunction(timezone.localdate)
    quorum = 1
    quorum_each_funder = False


class CommitteeMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommitteeMember

    funder = "cnm"
    present = True
