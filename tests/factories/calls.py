from datetime import datetime, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from calls.enums import CallStatus, CriterionKind, Severity
from calls.models import (AppraisalCriterion, Call, Category, DocumentRequirement,
                          EligibilityCriterion, Track)
from portal.formatting import PARIS

from .portal import TenantFactory


def paris(*args) -> datetime:
    """An aware datetime on the Paris wall clock: paris(2023, 9, 18, 23, 59, 59)."""
    return datetime(*args, tzinfo=PARIS)


class CallFactory(factory.django.DjangoModelFactory):
    """A published call, open now (opened 10 days ago, closes in 20 days)."""

    class Meta:
        model = Call

    tenant = factory.SubFactory(TenantFactory)
    slug = factory.Sequence(lambda n: f"appel-{n}")
    title = factory.Sequence(lambda n: f"Appel à projets {n}")
    reference_code = "COOP"
    status = CallStatus.PUBLISHED
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=10))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=20))
    funders = factory.LazyFunction(lambda: ["drac", "cnm", "region"])


class TrackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Track

    call = factory.SubFactory(CallFactory)
    title = factory.Sequence(lambda n: f"Volet {n}")


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    call = factory.SubFactory(CallFactory)
    title = factory.Sequence(lambda n: f"Catégorie {n}")
    amount_min = Decimal("5000.00")
    amount_max = Decimal("15000.00")


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EligibilityCriterion

    call = factory.SubFactory(CallFactory)
    kind = CriterionKind.CHECK
    label = "24 mois d'activité antérieure"
    field = "structure.months_of_activity"
    operator = "gte"
    value = 24
    severity = Severity.BLOCKING


class AppraisalCriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AppraisalCriterion

    call = factory.SubFactory(CallFactory)
    label = factory.Sequence(lambda n: f"Critère d'appréciation {n}")


class DocumentRequirementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DocumentRequirement

    call = factory.SubFactory(CallFactory)
    label = factory.Sequence(lambda n: f"Pièce {n}")
