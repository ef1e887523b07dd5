import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from applications.models import Structure
from portal.geo import DEPARTEMENT_REGION, departement_for_postal_code, region_for_postal_code
from tests.factories.applications import StructureFactory, make_siret

pytestmark = pytest.mark.django_db


def test_siret_is_normalized_and_siren_derived():
    structure = StructureFactory(siret="732 829 320 00074")
    assert structure.siret == "73282932000074"
    assert structure.siren == "732829320"


@pytest.mark.parametrize("bad", ["73282932000075", "1234", "abcdefghijklmn"])
def test_invalid_siret_is_refused_on_the_field(bad):
    structure = StructureFactory.build(siret=bad)
    with pytest.raises(ValidationError) as exc:
        structure.full_clean()
    assert "siret" in exc.value.error_dict


def test_same_siret_twice_is_refused():
    StructureFactory(siret=make_siret(7))
    with pytest.raises(IntegrityError):
        StructureFactory(siret=make_siret(7))


@pytest.mark.parametrize("postal_code, departement, region", [
    ("34000", "34", "76"), ("59000", "59", "32"), ("75011", "75", "11"),
    ("20000", "2A", "94"), ("20200", "2B", "94"), ("97400", "974", "04"),
])
def test_postal_code_gives_departement_and_region(postal_code, departement, region):
    structure = StructureFactory(postal_code=postal_code)
    assert (structure.departement, structure.region_code) == (departement, region)


def test_unknown_postal_code_is_refused():
    with pytest.raises(ValidationError) as exc:
        StructureFactory.build(postal_code="99999").full_clean()
    assert "postal_code" in exc.value.error_dict


def test_every_departement_maps_to_a_known_region():
    from portal.validators import INSEE_REGION_CODES

    assert len(DEPARTEMENT_REGION) == 101
    assert set(DEPARTEMENT_REGION.values()) <= set(INSEE_REGION_CODES)
    assert departement_for_postal_code("") is None and region_for_postal_code("1234") is None


def test_structures_are_global_not_tenant_scoped():
    StructureFactory()
    assert Structure.objects.count() == 1  # no scope needed
