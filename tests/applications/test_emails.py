"""Notifications of the applicant side: who receives them."""

import pytest
from django.core import mail
from django_scopes import scope

from applications import services
from portal.enums import Role
from tests.factories.applications import DossierFactory, balanced_budget
from tests.factories.reviews import ConflictFactory

pytestmark = pytest.mark.django_db


def test_message_notification_skips_an_instructor_with_a_conflict_on_the_structure(
        tenant, call, structure, applicant, make_member, django_capture_on_commit_callbacks):
    neutral = make_member(tenant, Role.INSTRUCTOR, user__email="neutre@example.org")
    conflicted = make_member(tenant, Role.INSTRUCTOR, user__email="lie@example.org")
    with scope(tenant=tenant):
        ConflictFactory(tenant=tenant, officer=conflicted, siret=structure.siret)
        dossier = balanced_budget(DossierFactory(call=call, structure=structure))
        services.dossier_submit(user=applicant, dossier=dossier)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.dossier_message_post(user=applicant, dossier=dossier,
                                          body="Le calendrier confidentiel est joint.")
    assert [m.to for m in mail.outbox] == [["neutre@example.org"]]
    assert all("lie@example.org" not in m.to for m in mail.outbox)


def test_withdrawal_notification_skips_an_instructor_with_a_conflict_on_a_partner(
        tenant, call, structure, applicant, make_member, django_capture_on_commit_callbacks):
    from tests.factories.applications import PartnerFactory, make_siret

    neutral = make_member(tenant, Role.INSTRUCTOR, user__email="neutre@example.org")
    conflicted = make_member(tenant, Role.INSTRUCTOR, user__email="lie@example.org")
    partner_siret = make_siret(9123)
    with scope(tenant=tenant):
        ConflictFactory(tenant=tenant, officer=conflicted, siret=partner_siret)
        dossier = balanced_budget(DossierFactory(call=call, structure=structure))
        PartnerFactory(dossier=dossier, siret=partner_siret)
        services.dossier_submit(user=applicant, dossier=dossier)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.dossier_withdraw(user=applicant, dossier=dossier, reason="Projet annulé")
    recipients = sorted(address for m in mail.outbox for address in m.to)
    assert recipients == [applicant.email, neutral.email]
