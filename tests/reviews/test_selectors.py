"""The reads of the instruction page and of the committee page, as selectors of their own
(`reviews.selectors`): the views call them and render."""

from decimal import Decimal

import pytest
from django_scopes import scope

from portal.enums import OrganizationKind as K
from portal.enums import Role
from reviews import selectors
from reviews.models import ConflictDeclaration, EligibilityReview
from tests.factories.applications import BudgetLineFactory
from tests.factories.reviews import (AssignmentFactory, FiledDossierFactory, PartnerFactory,
                                     officer)

pytestmark = pytest.mark.django_db


def test_assignment_candidates_are_the_free_instructors_of_the_calls_funders(tenant, scoped,
                                                                            officers):
    from tests.factories import CallFactory

    call = CallFactory(tenant=tenant, funders=["drac", "cnm"])  # the Région does not fund it
    dossier = FiledDossierFactory(call=call, status="eligible")
    AssignmentFactory(dossier=dossier, officer=officers["drac1"], funder="drac")
    ConflictDeclaration.objects.create(tenant=tenant, officer=officers["cnm"],
                                       siret=dossier.structure.siret, structure_name="x",
                                       nature="Associé")
    free_cnm = officer(tenant, K.CNM)
    officer(tenant, K.CNM, role=Role.COMMITTEE)  # not an instructor
    assigned = {a.officer_id for a in selectors.dossier_assignments(dossier)}
    assert assigned == {officers["drac1"].pk}
    candidates = selectors.assignment_candidates(tenant, dossier, assigned_ids=assigned)
    assert sorted(m.user_id for m in candidates) == sorted([officers["drac2"].pk, free_cnm.pk])


def test_eligibility_reviews_and_application_parts_of_one_dossier(tenant, scoped, officers):
    dossier = FiledDossierFactory(call__tenant=tenant)
    other = FiledDossierFactory(call=dossier.call)
    review = EligibilityReview.objects.create(dossier=dossier, outcome="eligible",
                                              confirmed_by=officers["cnm"])
    EligibilityReview.objects.create(dossier=other, outcome="ineligible")
    line = BudgetLineFactory(dossier=dossier, amount=Decimal("900.00"))
    partner = PartnerFactory(dossier=dossier)
    PartnerFactory(dossier=other)
    [found] = selectors.eligibility_reviews(dossier)
    assert (found.pk, found.confirmed_by) == (review.pk, officers["cnm"])
    parts = selectors.application_parts(dossier)
    assert ([b.pk for b in parts["budget_lines"]], [p.pk for p in parts["partners"]],
            parts["attachments"]) == ([line.pk], [partner.pk], [])


def test_session_page_offers_candidates_to_seat_only_to_a_manager(tenant, scoped, committee,
                                                                  admin_user):
    from tests.factories.reviews import SessionFactory

    session = SessionFactory(tenant=tenant)
    seated = selectors.session_page(session=session, user=admin_user)
    assert (seated["can_manage"], sorted(c for c, _name in seated["candidates"])) == (
        True, sorted([admin_user.pk] + [u.pk for u in committee.values()]))
    member_view = selectors.session_page(session=session, user=committee["cnm"])
    assert (member_view["can_manage"], member_view["candidates"]) == (False, [])
    assert (member_view["letters"], member_view["minutes"], member_view["rows"]) == (
        None, None, [])
