from datetime import date
from decimal import Decimal

import factory
from django_scopes import scopes_disabled

from mentoring.models import (Diagnosis, Engagement, NeedRequest, ResourcePerson, ResourceTheme,
                              Theme)
from tests.factories.applications import StructureFactory
from tests.factories.portal import TenantFactory, UserFactory


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme

    tenant = factory.SubFactory(TenantFactory)
    label = factory.Sequence(lambda n: f"Thématique {n}")
    position = factory.Sequence(lambda n: n)


class ResourcePersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResourcePerson
        skip_postgeneration_save = True

    tenant = factory.SubFactory(TenantFactory)
    first_name = factory.Sequence(lambda n: f"Prénom{n}")
    last_name = factory.Sequence(lambda n: f"Ressource{n}")
    email = factory.Sequence(lambda n: f"ressource{n}@example.org")
    structure_name = "Structure ressource"
    main_activity = "recorded_music"
    aesthetics = factory.LazyFunction(lambda: ["electro"])
    departement = "34"
    remote_possible = True
    max_engagements_per_year = 2
    max_days_per_year = 8

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        """themes={theme: level}"""
        if create and extracted:
            with scopes_disabled():
                for theme, level in extracted.items():
                    ResourceTheme.objects.create(resource=self, theme=theme, level=level)


class NeedRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NeedRequest
        skip_postgeneration_save = True

    tenant = factory.SubFactory(TenantFactory)
    structure = factory.SubFactory(StructureFactory)
    submitted_by = factory.SubFactory(UserFactory)
    person_name = "Camille Martin"
    person_status = "employee"
    person_role = "chargée de production"
    description = "Structurer notre recherche de financements."
    hoped_format = "tsf"
    available_from = date(2026, 1, 1)
    available_until = date(2027, 12, 31)
    remote_possible = True

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create and extracted:
            with scopes_disabled():
                self.themes.set(extracted)


class DiagnosisFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Diagnosis

    need = factory.SubFactory(NeedRequestFactory)
    outcome = "tsf"
    days = Decimal("2")
    comment = "Un TSF de deux jours suffit."


class EngagementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Engagement

    tenant = factory.SelfAttribute("need.tenant")
    need = factory.SubFactory(NeedRequestFactory)
    resource = factory.SubFactory(ResourcePersonFactory, tenant=factory.SelfAttribute("..tenant"))
    format = "tsf"
    planned_days = Decimal("2")
    terms = "Cahier des charges."
    year = factory.LazyFunction(lambda: date.today().year)
