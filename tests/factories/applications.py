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


class DossierFactory(factory.django.DjangoModelFactory):
    """A draft on an open call (the call's tenant), by a new structure."""

    class Meta:
        model = "applications.Dossier"

    call = factory.SubFactory("tests.factories.calls.CallFactory")
    tenant = factory.SelfAttribute("call.tenant")
    structure = factory.SubFactory(StructureFactory)
    title = "Tournée coopérative en Occitanie"
    summary = "Trois labels mutualisent une tournée."
    start_date = date(2024, 1, 1)
    end_date = date(2024, 12, 31)
    status = "draft"
    # A filed dossier always has a reference (database constraint); drafts have none.
    reference = factory.LazyAttributeSequence(
        lambda o, n: "" if o.status in ("draft", "withdrawn") else f"TST-2024-COOP-{n + 1:04d}")


class BudgetLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "applications.BudgetLine"

    dossier = factory.SubFactory(DossierFactory)
    kind = "expense"
    source = ""
    label = "Cachets"
    amount = Decimal("1000.00")


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "applications.Partner"

    dossier = factory.SubFactory(DossierFactory)
    name = factory.Sequence(lambda n: f"Partenaire {n}")
    role = "Co-organisation"


def balanced_budget(dossier, *, expenses="30000.00", requested="10000.00",
                    self_financing="12000.00", public="8000.00"):
    """Expenses 30 000; income: requested 10 000 + self-financing 12 000 + public 8 000."""
    dossier.requested_amount = Decimal(requested)
    dossier.save(update_fields=["requested_amount"])
    BudgetLineFactory(dossier=dossier, kind="expense", label="Dépenses", amount=Decimal(expenses))
    BudgetLineFactory(dossier=dossier, kind="income", source="self_financing",
                      label="Fonds propres", amount=Decimal(self_financing))
    if Decimal(public):
        BudgetLineFactory(dossier=dossier, kind="income", source="public",
                          label="Département", amount=Decimal(public))
    return dossier
