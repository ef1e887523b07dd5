"""Mentoring demo data: themes, pool, structures and needs in Occitanie; idempotent."""

import pytest
from django_scopes import scope, scopes_disabled
from stdnum.fr import siret

from applications.models import Structure, StructureMember
from mentoring import demo as mentoring_demo
from mentoring.models import MatchProposal, NeedRequest, ResourcePerson, Theme
from portal import demo as portal_demo
from portal.models import Tenant

pytestmark = pytest.mark.django_db


def test_demo_seeds_occitanie_and_is_idempotent():
    portal_demo.seed()
    assert mentoring_demo.seed() == ["pilot@occitanie.demo", "applicant@occitanie.demo"]
    mentoring_demo.seed()
    with scopes_disabled():
        tenant = Tenant.objects.get(slug="occitanie")
        hdf = Tenant.objects.get(slug="hauts-de-france")
        structures = Structure.objects.filter(name__startswith="[Démo mentorat]")
        assert structures.count() == 5
        assert all(siret.is_valid(s.siret) for s in structures)
        assert StructureMember.objects.filter(
            user__email="applicant@occitanie.demo", structure__in=structures).count() == 2
    with scope(tenant=tenant):
        assert list(Theme.objects.values_list("label", flat=True)) == [
            "Pilotage des projets et des organisations", "Financement",
            "Mise en œuvre et gestion des organisations", "Visibilité des projets",
            "Actions responsables, locales et/ou solidaires"]
        assert ResourcePerson.objects.count() == 8
        assert NeedRequest.objects.count() == 4
        assert sorted(NeedRequest.objects.values_list("state", flat=True)) == [
            "qualified", "qualified", "submitted", "submitted"]
        assert MatchProposal.objects.filter(status="proposed").count() == 2
    with scope(tenant=hdf):
        assert Theme.objects.count() == 0
