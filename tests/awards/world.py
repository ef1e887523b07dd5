"""A grant published by a committee, as the follow-up finds it: a call with an 80 % advance,
an eligible period and a report due 3 months after the action; a dossier with eligible and
ineligible expenses granted 12 000,50 € by the CNM and the Région; officers of the three
funders; the structure's manager."""

from datetime import date, datetime
from decimal import Decimal as D
from types import SimpleNamespace

from django_scopes import scope

from applications.models import BudgetLine
from portal.enums import OrganizationKind as K
from portal.enums import Role
from portal.formatting import PARIS
from reviews import services as review_services
from reviews.models import AgendaItem, CommitteeMember
from tests.factories import CallFactory, CategoryFactory, MembershipFactory, SignatoryFactory
from tests.factories.applications import StructureFactory, StructureMemberFactory
from tests.factories.reviews import FiledDossierFactory, SessionFactory, officer


#: when the planned expenses are made (within the call's eligible period 2024–2025)
PERIOD = {"spent_from": date(2024, 3, 1), "spent_until": date(2025, 6, 30)}


def build(tenant, *, closed_on=datetime(2024, 4, 26, 10, tzinfo=PARIS), amounts=None,
          reference="HDF-2024-COOP-0001", structure=None,
          advance_paid_on="notification", report_documents=()) -> SimpleNamespace:
    """`report_documents`: labels of documents the call asks with the final report (all
    required but one ending in « (facultatif) »), declared before the dossier is filed."""
    w = SimpleNamespace(tenant=tenant)
    with scope(tenant=tenant):
        w.officers = {kind: officer(tenant, kind) for kind in (K.DRAC, K.CNM, K.REGION)}
        w.committee = officer(tenant, K.CNM, role=Role.COMMITTEE)
        w.admin = MembershipFactory(tenant=tenant, role=Role.ADMIN).user
        from portal.models import Organization

        for org in Organization.objects.filter(tenant=tenant):
            SignatoryFactory(tenant=tenant, organization=org, person_name=f"Signataire {org.kind}",
                             title=f"Représentant·e {org.name}")
        w.call = CallFactory(
            tenant=tenant, title="Aide aux projets de coopération professionnelle",
            envelope=D("150000.00"), expenses_start=date(2024, 1, 1),
            expenses_end=date(2025, 12, 31), advance_paid_on=advance_paid_on,
            balance_paid_on="report_accepted", report_due_months=3,
            eligible_expense_kinds=["artistic", "travel", "services"])
        w.category = CategoryFactory(call=w.call, title="Expérimentation",
                                     amount_min=D("5000"), amount_max=D("15000"),
                                     advance_percentage=D("80"))
        from calls.models import DocumentRequirement

        w.report_documents = {
            label: DocumentRequirement.objects.create(
                call=w.call, label=label.removesuffix(" (facultatif)"), stage="final_report",
                required=not label.endswith("(facultatif)"), allowed_formats=["pdf"],
                max_size_mb=2, position=i)
            for i, label in enumerate(report_documents)}
        w.structure = structure or StructureFactory(name="Les Scènes d'Oc")
        w.applicant = StructureMemberFactory(structure=w.structure, role="manager").user
        w.dossier = FiledDossierFactory(
            call=w.call, category=w.category, structure=w.structure, status="in_committee",
            reference=reference, requested_amount=D("12000.50"),
            start_date=date(2024, 3, 1), end_date=date(2025, 6, 30))
        w.lines = {
            "cachets": BudgetLine.objects.create(dossier=w.dossier, kind="expense",
                                                 label="Cachets des artistes",
                                                 expense_kind="artistic", amount=D("20000.00"),
                                                 position=0, **PERIOD),
            "deplacements": BudgetLine.objects.create(dossier=w.dossier, kind="expense",
                                                      label="Déplacements", expense_kind="travel",
                                                      amount=D("5000.00"), position=1,
                                                      **PERIOD),
            "materiel": BudgetLine.objects.create(dossier=w.dossier, kind="expense",
                                                  label="Achat de matériel",
                                                  expense_kind="equipment",
                                                  amount=D("3000.00"), position=2,
                                                  **PERIOD),
            "fonds": BudgetLine.objects.create(dossier=w.dossier, kind="income",
                                               source="self_financing", label="Fonds propres",
                                               amount=D("15999.50"), position=3),
        }
        session = SessionFactory(tenant=tenant, date=closed_on.date(), quorum=1)
        session.calls.set([w.call])
        CommitteeMember.objects.create(session=session, user=w.committee, funder="cnm",
                                       present=True)
        AgendaItem.objects.create(session=session, dossier=w.dossier, position=1)
        w.decision = review_services.decision_record(
            user=w.committee, session=session, dossier=w.dossier, outcome="granted",
            shares=amounts or {"cnm": "7000.50", "region": "5000"})
        review_services.session_close(user=w.admin, session=session, now=closed_on)
        w.session = session
        w.dossier.refresh_from_db()
    return w
