"""The stored tripartite convention PDF: real text (not images), the three parties, the cahier des
charges, the format and days, the dates and the signature blocks."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django_scopes import scope
from pypdf import PdfReader

from mentoring.documents import convention_generate
from portal.documents import private_path
from mentoring.models import EngagementSession
from tests.factories.applications import StructureFactory
from tests.factories.mentoring import (DiagnosisFactory, EngagementFactory, NeedRequestFactory,
                                       ResourcePersonFactory)

pytestmark = pytest.mark.django_db


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_convention_names_the_three_parties_terms_days_and_signatures(tenant, pilot_org,
                                                                      themes):
    beneficiary = StructureFactory(name="La Sirène du Lez", siret="35600000000048",
                                   postal_code="34000", city="Montpellier")
    need = NeedRequestFactory(tenant=tenant, structure=beneficiary, themes=[themes[1]],
                              person_name="Camille Martin", person_role="chargée de production",
                              state="matched")
    DiagnosisFactory(need=need, outcome="mentoring", days=Decimal("3.5"))
    resource = ResourcePersonFactory(tenant=tenant, first_name="Alex", last_name="Durand",
                                     job_title="administratrice",
                                     structure=StructureFactory(name="Le Rockstore"))
    engagement = EngagementFactory(
        need=need, resource=resource, format="mentoring", planned_days=Decimal("3.5"),
        terms="Objectif : un plan de financement 2027.\nLivrable : un tableau de bord.",
        start_date=date(2027, 1, 11), end_date=date(2027, 3, 31))
    with scope(tenant=tenant):
        EngagementSession.objects.create(engagement=engagement, date=date(2027, 1, 11),
                                         days=Decimal("1.0"), notes="Diagnostic financier")
        document, _rendered = convention_generate(engagement)
    pdf = private_path(document.file_path).read_bytes()
    assert pdf.startswith(b"%PDF")
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    fonts = {str(f["/BaseFont"]) for f in page["/Resources"]["/Font"].get_object().values()}
    assert fonts and all("DejaVu" in name for name in fonts)
    text = " ".join(text_of(pdf).split())
    assert "Convention tripartite de transfert de savoir-faire / mentorat" in text
    assert f"Référence : {need.reference}" in text
    assert "La Sirène du Lez, SIRET 35600000000048" in text
    assert "Personne accompagnée : Camille Martin (Salarié·e), chargée de production" in text
    assert "Alex Durand, administratrice" in text
    assert "Structure ressource : Le Rockstore" in text
    assert "Octopus, structure pilote" in text
    assert "Thématiques : Financement." in text
    assert "Objectif : un plan de financement 2027." in text
    assert "Livrable : un tableau de bord." in text
    assert "Durée prévue : 3,5 jour(s), dans la limite de 4 jour(s) pour ce format." in text
    assert "Période : du 11 janvier 2027 au 31 mars 2027." in text
    assert "Diagnostic financier" in text
    assert "Pour la structure bénéficiaire" in text
    assert "Pour la structure pilote" in text
