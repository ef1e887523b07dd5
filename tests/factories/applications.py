from datetime import date
from decimal import Decimal

import factory

from applications.models import AnnualRevenue, PerformerLicence, Structure, StructureMember

from .portal import UserFactory

# Valid SIRET numbers (Luhn) generated from a 9-digit SIREN + 5-digit NIC.


def _luhn_complete(digits: str) -> str:
    for last in "0123456789":
        candidate = digits + last
        total = 0
        for i, ch in enumerate(reversed(candidate)):
            d = int(ch) * (2 if i % 2 else 1)
            total += d - 9 if d > 9 else d
        if total % 10 == 0:
            return candidate
    raise AssertionError("unreachable")


def make_siret(n: int) -> str:
    """A valid SIRET: the SIREN (9 digits) and the whole SIRET both pass the Luhn check."""
    siren = _luhn_complete(f"{10000000 + n:08d}")
    return _luhn_complete(f"{siren}{n % 10000:04d}")


class StructureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Structure

    name = factory.Sequence(lambda n: f"Label indépendant {n}")
    siret = factory.Sequence(make_siret)
    legal_form = "association"
    address = "12 rue de la Musique"
    postal_code = "34000"
    city = "Montpellier"
    creation_date = date(2019, 3, 1)
    cnm_affiliation_number = factory.Sequence(lambda n: f"CNM-{n:06d}")
    cnm_affiliation_date = date(2020, 1, 15)
    fte_hours = Decimal("400.00")
    main_activity = "recorded_music"
    aesthetics = factory.LazyFunction(lambda: ["electro"])
    artists_count = 4
    regional_artists_count = 2


class StructureMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StructureMember

    structure = factory.SubFactory(StructureFactory)
    user = factory.SubFactory(UserFactory)
    role = "manager"


class PerformerLicenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PerformerLicence

    structure = factory.SubFactory(StructureFactory)
    category = "2"
    number = factory.Sequence(lambda n: f"PLATESV-R-2020-{n:06d}")


class AnnualRevenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AnnualRevenue

    structure = factory.SubFactory(StructureFactory)
    year = 2022
    amount = Decimal("85000.00")
