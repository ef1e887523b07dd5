"""The isolation sweep's world and its registry of URL rules (used by tests/test_url_sweep.py
and tests/test_form_fuzz.py).

The world: every kind of object of tenant A, owned by structure A. Tenant B has its own staff
and an applicant who is a member of structure B only. Secret strings (`SECRET`) are written
into tenant A's private data: a page served to a foreign user must never show one.

`RULES` maps every URL name of the project to how its kwargs are built from the world and who
may legitimately open it:

* PRIVATE: only tenant A's people (or structure A's members): every foreign role is refused
  (403, 404, 405 or the login page);
* USER: any signed-in user may open it (their own space, a form to file something of their
  own); anonymous users go to the login page; the page must not show tenant A's secrets;
* PUBLIC: anyone, anonymous included; the page must not show tenant A's secrets.

`conflict=True`: the URL shows or acts on structure A's dossier, so the instructor of tenant A
with a declared conflict on structure A is a foreign user for it too.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Callable

from django.core.files.base import ContentFile
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from portal.enums import OrganizationKind as K
from portal.enums import Role

SECRET = "ZqSecretA"

PRIVATE, USER, PUBLIC = "private", "user", "public"
HIDE_REVIEWS = "hide_reviews"
#: Written in the reviews' opinions: a conflicted officer never sees it.
REVIEW_SECRET = f"{SECRET}-avis"


@dataclass(frozen=True)
class Rule:
    kwargs: Callable = field(default=lambda w: {})
    access: str = PRIVATE
    #: True: the conflicted officer is refused; HIDE_REVIEWS: the page opens (the committee's
    #: decision page tells them they are conflicted) but shows no review of the dossier.
    conflict: bool | str = False


def build_world():
    """Tenant A's objects (a published call with items, filed dossiers with everything around
    them, reviews, a committee session with a decision, mentoring), tenant B's staff, and the
    foreign users of the sweep."""
    from applications.models import (Attachment, CompletionRequest, DossierMessage,
                                     StructureInvitation)
    from mentoring.models import AssignmentRun, EngagementSession, MatchProposal
    from reviews.models import (AgendaItem, CommitteeMember, ConflictDeclaration, Decision,
                                EligibilityReview)
    from tests.factories import (AppraisalCriterionFactory, CategoryFactory, CriterionFactory,
                                 DocumentRequirementFactory, InvitationFactory,
                                 MembershipFactory, OrganizationFactory, SignatoryFactory,
                                 TenantFactory, TrackFactory, UserFactory)
    from tests.factories.applications import (AnnualRevenueFactory, BudgetLineFactory,
                                              PerformerLicenceFactory, StructureFactory,
                                              StructureMemberFactory)
    from tests.factories.calls import CallFactory
    from tests.factories.mentoring import (DiagnosisFactory, EngagementFactory,
                                           NeedRequestFactory, ResourcePersonFactory,
                                           ThemeFactory)
    from tests.factories.reviews import (FiledDossierFactory, PartnerFactory, ReviewFactory,
                                         SessionFactory, officer)

    w = SimpleNamespace()
    w.a = TenantFactory(slug="sweep-a", name="Région A")
    w.b = TenantFactory(slug="sweep-b", name="Région B")
    now = timezone.now()

    # --- Structure A and its applicant ------------------------------------------------------
    w.applicant_a = UserFactory(email="applicant-a@example.org")
    w.structure = StructureFactory(name=f"{SECRET} Structure")
    StructureMemberFactory(structure=w.structure, user=w.applicant_a)
    w.licence = PerformerLicenceFactory(structure=w.structure)
    w.revenue = AnnualRevenueFactory(structure=w.structure)
    w.structure_invitation = StructureInvitation.objects.create(
        structure=w.structure, email=f"{SECRET.lower()}-member@example.org",
        invited_by=w.applicant_a)

    with scope(tenant=w.a):
        # --- Tenant A's staff ----------------------------------------------------------------
        w.admin_a = MembershipFactory(tenant=w.a, role=Role.ADMIN).user
        w.instructor_a = officer(w.a, K.CNM)
        w.committee_a = officer(w.a, K.CNM, role=Role.COMMITTEE)
        w.pilot_org = OrganizationFactory(tenant=w.a, kind=K.PILOT, name="Pilote A")
        w.pilot_a = MembershipFactory(tenant=w.a, role=Role.PILOT,
                                      organization=w.pilot_org).user
        w.organization = w.pilot_org
        w.signatory = SignatoryFactory(tenant=w.a, organization=w.pilot_org)
        w.membership = w.instructor_a.memberships.get(tenant=w.a)
        w.invitation = InvitationFactory(tenant=w.a, email=f"{SECRET.lower()}@example.org")

        # --- A published call with its items ---------------------------------------------------
        w.call = CallFactory(tenant=w.a, slug="appel-a", reference_code="SWP",
                             envelope=Decimal("50000.00"))
        w.track = TrackFactory(call=w.call)
        w.category = CategoryFactory(call=w.call)
        w.criterion = CriterionFactory(call=w.call)
        w.appraisal = AppraisalCriterionFactory(call=w.call, scale_max=5)
        w.requirement = DocumentRequirementFactory(call=w.call)

        # --- A filed dossier with everything around it --------------------------------------
        w.dossier = FiledDossierFactory(call=w.call, structure=w.structure, status="in_review",
                                        title=f"{SECRET} dossier", created_by=w.applicant_a)
        BudgetLineFactory(dossier=w.dossier, kind="expense", label=f"{SECRET} dépense",
                          amount=Decimal("30000.00"))
        PartnerFactory(dossier=w.dossier, name=f"{SECRET} partenaire")
        w.attachment = Attachment(dossier=w.dossier, requirement=w.requirement,
                                  original_name=f"{SECRET}.pdf", content_type="application/pdf",
                                  extension="pdf", size=20, sha256="0" * 64,
                                  uploaded_by=w.applicant_a)
        w.attachment.file.save("x.pdf", ContentFile(b"%PDF-1.4 secret file"), save=True)
        DossierMessage.objects.create(dossier=w.dossier, author=w.applicant_a,
                                      body=f"{SECRET} message")
        CompletionRequest.objects.create(dossier=w.dossier, message=f"{SECRET} compléments",
                                         steps=["project"], due_at=now + timedelta(days=10),
                                         requested_by=w.instructor_a)
        EligibilityReview.objects.create(dossier=w.dossier, outcome="eligible",
                                         comment=f"{SECRET} recevabilité",
                                         confirmed_by=w.instructor_a)
        from reviews.models import Assignment

        w.assignment = Assignment.objects.create(dossier=w.dossier, officer=w.instructor_a,
                                                 funder="cnm", assigned_by=w.admin_a)
        w.review = ReviewFactory(dossier=w.dossier, officer=w.instructor_a,
                                 opinion=REVIEW_SECRET)
        from reviews.models import SavedView

        w.saved_view = SavedView.objects.create(tenant=w.a, owner=w.instructor_a,
                                                name=f"{SECRET} vue", query="status=submitted")
        from reviews.models import BatchJob

        w.batch_job = BatchJob.objects.create(
            tenant=w.a, user=w.instructor_a, action="assign", dossier_ids=[w.dossier.pk],
            results=[{"dossier": w.dossier.pk, "reference": w.dossier.reference, "ok": False,
                      "message": f"{SECRET} motif"}])

        from applications.models import DossierExport

        w.dossier_export = DossierExport.objects.create(tenant=w.a, dossier=w.dossier,
                                                        requested_by=w.applicant_a)

        # A draft of structure A (its form steps are what the applicant fills in).
        from tests.factories.applications import DossierFactory

        w.draft = DossierFactory(call=w.call, structure=w.structure, title=f"{SECRET} brouillon",
                                 created_by=w.applicant_a)

        # --- A committee session with a decision on a second dossier --------------------------
        w.decided = FiledDossierFactory(call=w.call, structure=w.structure, status="granted",
                                        title=f"{SECRET} dossier accordé")
        ReviewFactory(dossier=w.decided, officer=w.instructor_a, opinion=REVIEW_SECRET)
        w.session = SessionFactory(tenant=w.a, title=f"{SECRET} comité")
        w.session.calls.add(w.call)
        w.session_member = CommitteeMember.objects.create(
            session=w.session, user=w.committee_a, funder="cnm", present=True)
        AgendaItem.objects.create(session=w.session, dossier=w.decided, position=1)
        w.decided_attachment = Attachment(
            dossier=w.decided, requirement=w.requirement, original_name=f"{SECRET}-comite.pdf",
            content_type="application/pdf", extension="pdf", size=20, sha256="1" * 64,
            uploaded_by=w.applicant_a)
        w.decided_attachment.file.save("y.pdf", ContentFile(b"%PDF-1.4 secret file"), save=True)
        w.decision = Decision.objects.create(session=w.session, dossier=w.decided, outcome="granted",
                                amount=Decimal("10000.00"), motivation=f"{SECRET} motivation",
                                decided_by=w.committee_a, decided_at=now)
        # --- The follow-up of that grant: a payment due, a final report, a bank account -----
        from awards.models import BankAccount, FinalReport, Payment

        w.payment = Payment.objects.create(tenant=w.a, dossier=w.decided, funder="cnm",
                                           kind="advance", amount=Decimal("8000.00"),
                                           reference=f"{SECRET}-mandat")
        w.final_report = FinalReport.objects.create(dossier=w.decided,
                                                    activity_report=f"{SECRET} bilan")
        BankAccount.objects.create(structure=w.structure, holder=f"{SECRET} titulaire",
                                   iban="FR7630006000011234567890189")
        from awards.models import ReportAttachment

        w.report_requirement = DocumentRequirementFactory(call=w.call, stage="final_report",
                                                          label="Bilan financier signé")
        w.report_attachment = ReportAttachment(
            report=w.final_report, requirement=w.report_requirement,
            original_name=f"{SECRET}-bilan.pdf", content_type="application/pdf",
            extension="pdf", size=20, sha256="2" * 64, uploaded_by=w.applicant_a,
            uploaded_at=now)
        w.report_attachment.file.save("z.pdf", ContentFile(b"%PDF-1.4 secret bilan"), save=True)
        from awards.models import StartAttestation

        w.start_attestation = StartAttestation(
            dossier=w.decided, started_on=now.date(), declaration="Je certifie.",
            original_name=f"{SECRET}-demarrage.pdf", content_type="application/pdf", size=20,
            sha256="3" * 64, filed_by=w.applicant_a, filed_at=now)
        w.start_attestation.file.save("d.pdf", ContentFile(b"%PDF-1.4 secret start"), save=True)

        # --- A conflicted officer of tenant A -------------------------------------------------
        w.conflicted_a = officer(w.a, K.DRAC)
        w.conflict = ConflictDeclaration.objects.create(
            tenant=w.a, officer=w.conflicted_a, siret=w.structure.siret,
            structure_name=w.structure.name, structure=w.structure,
            nature=f"{SECRET} lien")

        # --- Mentoring ---------------------------------------------------------------------------
        w.theme = ThemeFactory(tenant=w.a)
        w.resource_user = UserFactory(email="resource-a@example.org")
        w.resource = ResourcePersonFactory(tenant=w.a, last_name=f"{SECRET}Ressource",
                                           user=w.resource_user, themes={w.theme: 3})
        w.need = NeedRequestFactory(tenant=w.a, structure=w.structure,
                                    submitted_by=w.applicant_a,
                                    description=f"{SECRET} besoin", themes=[w.theme])
        DiagnosisFactory(need=w.need)
        w.proposal = MatchProposal.objects.create(need=w.need, resource=w.resource,
                                                  source="chosen", score=Decimal("50"))
        w.need2 = NeedRequestFactory(tenant=w.a, structure=w.structure,
                                     submitted_by=w.applicant_a,
                                     description=f"{SECRET} besoin engagé", themes=[w.theme])
        DiagnosisFactory(need=w.need2)
        w.engagement = EngagementFactory(need=w.need2, resource=w.resource,
                                         terms=f"{SECRET} cahier des charges")
        w.engagement_session = EngagementSession.objects.create(
            engagement=w.engagement, date=now.date(), days=Decimal("1.0"))
        w.assignment_run = AssignmentRun.objects.create(
            tenant=w.a, state="finished", finished_at=now, needs=1, resources=1,
            manual={str(w.need2.pk): {"code": "capacity", "reason": f"{SECRET} raison"}})

    # --- Tenant B and the foreign users ------------------------------------------------------
    with scope(tenant=w.b):
        w.structure_b = StructureFactory(name="Structure B")
        w.applicant_b = UserFactory(email="applicant-b@example.org")
        StructureMemberFactory(structure=w.structure_b, user=w.applicant_b)
        w.instructor_b = officer(w.b, K.CNM)
        w.admin_b = MembershipFactory(tenant=w.b, role=Role.ADMIN).user
        w.committee_b = officer(w.b, K.REGION, role=Role.COMMITTEE)
        w.pilot_b = MembershipFactory(
            tenant=w.b, role=Role.PILOT,
            organization=OrganizationFactory(tenant=w.b, kind=K.PILOT, name="Pilote B")).user
    w.platform_admin = UserFactory(email="operator-sweep@example.org", is_superuser=True,
                                   is_staff=True)
    return w


#: The foreign users of the sweep (None: anonymous).
FOREIGN_ROLES = {
    "anonymous": lambda w: None,
    "applicant_of_structure_b": lambda w: w.applicant_b,
    "instructor_of_tenant_b": lambda w: w.instructor_b,
    "admin_of_tenant_b": lambda w: w.admin_b,
    "committee_of_tenant_b": lambda w: w.committee_b,
    "pilot_of_tenant_b": lambda w: w.pilot_b,
    "conflicted_instructor_of_tenant_a": lambda w: w.conflicted_a,
}


def _d(w):
    return {"pk": w.dossier.pk}


def _call(w):
    return {"call_slug": w.call.slug}


def _s(w):
    return {"pk": w.structure.pk}


def _sess(w):
    return {"session_pk": w.session.pk}


RULES: dict[str, Rule] = {
    # --- Outside any tenant ----------------------------------------------------------------------
    "healthz": Rule(access=PUBLIC),
    "javascript_catalog": Rule(access=PUBLIC),
    "ping": Rule(access=PUBLIC),
    "portal:platform_home": Rule(access=PUBLIC),
    "portal:legal_notice": Rule(access=PUBLIC),
    "portal:accessibility": Rule(access=PUBLIC),
    "portal:personal_data": Rule(access=PUBLIC),
    "portal:my_spaces": Rule(access=USER),
    "portal:preferences": Rule(access=USER),
    "portal:name_prompt": Rule(access=USER),
    "portal:after_two_factor": Rule(access=USER),
    "portal:my_data": Rule(access=USER),
    "portal:account_delete": Rule(access=USER),
    # The token is the capability (mailed to the invited address): whoever holds it reads
    # who invites whom to what; only the invited address, signed in, can accept.
    "portal:invitation_accept": Rule(lambda w: {"token": w.invitation.token}, access=PUBLIC),
    "portal:platform_tenants": Rule(),
    "portal:platform_tenant_create": Rule(),
    "portal:platform_tenant_edit": Rule(lambda w: {"slug": w.a.slug}),
    "portal:platform_tenant_admins": Rule(lambda w: {"slug": w.a.slug}),
    # The national view: national officers only (and the platform admin grants the role).
    "national:overview": Rule(),
    "national:export_xlsx": Rule(),
    "national:officers": Rule(),
    "national:officer_revoke": Rule(lambda w: {"pk": 1}),
    # --- Structures (global) --------------------------------------------------------------------
    "structures:list": Rule(access=USER),
    "structures:create": Rule(access=USER),
    "structures:my_dossiers": Rule(access=USER),
    "structures:detail": Rule(_s),
    "structures:edit": Rule(_s),
    "structures:licence_add": Rule(_s),
    "structures:licence_remove": Rule(lambda w: {"pk": w.structure.pk,
                                                 "licence_pk": w.licence.pk}),
    "structures:revenue_add": Rule(_s),
    "structures:revenue_remove": Rule(lambda w: {"pk": w.structure.pk,
                                                 "revenue_pk": w.revenue.pk}),
    "structures:member_invite": Rule(_s),
    "structures:invitation_accept": Rule(lambda w: {"token": w.structure_invitation.token}),
    # --- Tenant home and tenant administration ---------------------------------------------------
    "portal:tenant_home": Rule(access=PUBLIC),
    "portal:manage_overview": Rule(),
    "portal:manage_contract": Rule(),
    "portal:manage_organizations": Rule(),
    "portal:manage_organization_edit": Rule(lambda w: {"pk": w.organization.pk}),
    "portal:manage_organization_delete": Rule(lambda w: {"pk": w.organization.pk}),
    "portal:manage_organization_identity": Rule(lambda w: {"pk": w.organization.pk}),
    "portal:manage_documents": Rule(),
    "portal:manage_signatories": Rule(),
    "portal:manage_signatory_edit": Rule(lambda w: {"pk": w.signatory.pk}),
    "portal:manage_signatory_delete": Rule(lambda w: {"pk": w.signatory.pk}),
    "portal:manage_members": Rule(),
    "portal:manage_membership_edit": Rule(lambda w: {"pk": w.membership.pk}),
    "portal:manage_membership_remove": Rule(lambda w: {"pk": w.membership.pk}),
    "portal:manage_invitation_revoke": Rule(lambda w: {"pk": w.invitation.pk}),
    "portal:manage_invitation_resend": Rule(lambda w: {"pk": w.invitation.pk}),
    "portal:manage_audit_log": Rule(),
    # --- Calls ---------------------------------------------------------------------------------
    "calls:call_index": Rule(access=PUBLIC),
    "calls:tenant_ical": Rule(access=PUBLIC),
    "calls:call_detail": Rule(_call, access=PUBLIC),
    "calls:call_ical": Rule(_call, access=PUBLIC),
    "calls:manage_call_list": Rule(),
    "calls:manage_call_create": Rule(),
    "calls:manage_call": Rule(_call),
    "calls:manage_call_edit": Rule(_call),
    "calls:manage_call_publish": Rule(_call),
    "calls:manage_call_close": Rule(_call),
    "calls:manage_call_archive": Rule(_call),
    "calls:manage_call_delete": Rule(_call),
    "calls:manage_call_clone": Rule(_call),
    "calls:manage_item_create": Rule(lambda w: {"call_slug": w.call.slug, "kind": "volets"}),
    "calls:manage_item_edit": Rule(lambda w: {"call_slug": w.call.slug, "kind": "volets",
                                              "pk": w.track.pk}),
    "calls:manage_item_delete": Rule(lambda w: {"call_slug": w.call.slug, "kind": "pieces",
                                                "pk": w.requirement.pk}),
    # --- Dossiers (applicant side) -------------------------------------------------------------
    # Anyone signed in may start a dossier on a published call (for a structure of theirs).
    "applications:dossier_start": Rule(_call, access=USER),
    "applications:dossier_list": Rule(access=USER),
    "applications:dossier_detail": Rule(_d, conflict=True),
    "applications:dossier_step": Rule(lambda w: {"pk": w.dossier.pk, "step": "project"},
                                      conflict=True),
    "applications:dossier_submit": Rule(_d, conflict=True),
    "applications:dossier_withdraw": Rule(_d, conflict=True),
    "applications:dossier_message": Rule(_d, conflict=True),
    "applications:dossier_request_completion": Rule(_d, conflict=True),
    "applications:attachment_upload": Rule(lambda w: {"pk": w.dossier.pk,
                                                      "requirement_pk": w.requirement.pk},
                                           conflict=True),
    "applications:attachment_download": Rule(lambda w: {"pk": w.dossier.pk,
                                                        "attachment_pk": w.attachment.pk},
                                             conflict=True),
    "applications:attachment_remove": Rule(lambda w: {"pk": w.dossier.pk,
                                                      "attachment_pk": w.attachment.pk},
                                           conflict=True),
    "applications:dossier_receipt": Rule(_d, conflict=True),
    "applications:dossier_export": Rule(_d, conflict=True),
    # Only the user who asked reaches an export (another member of the structure: 404).
    "applications:dossier_export_job": Rule(lambda w: {"pk": w.dossier.pk,
                                                       "export_pk": w.dossier_export.pk},
                                            conflict=True),
    "applications:dossier_export_progress": Rule(lambda w: {"pk": w.dossier.pk,
                                                            "export_pk": w.dossier_export.pk},
                                                 conflict=True),
    "applications:dossier_export_download": Rule(lambda w: {"pk": w.dossier.pk,
                                                            "export_pk": w.dossier_export.pk},
                                                 conflict=True),
    # --- Instruction and committee ---------------------------------------------------------------
    "reviews:dashboard": Rule(),
    "reviews:export_csv": Rule(),
    "reviews:export_xlsx": Rule(),
    "reviews:export_ods": Rule(),
    "reviews:assignments": Rule(),
    "reviews:threshold_set": Rule(),
    "reviews:conflicts": Rule(),
    "reviews:conflict_delete": Rule(lambda w: {"conflict_pk": w.conflict.pk}),
    "reviews:saved_view_save": Rule(),
    "reviews:saved_view_delete": Rule(lambda w: {"view_pk": w.saved_view.pk}),
    "reviews:selection": Rule(),
    "reviews:batch": Rule(lambda w: {"job_pk": w.batch_job.pk}),
    "reviews:batch_progress": Rule(lambda w: {"job_pk": w.batch_job.pk}),
    "reviews:dossier": Rule(_d, conflict=True),
    "reviews:dossier_recuse": Rule(_d, conflict=True),
    "reviews:eligibility_confirm": Rule(_d, conflict=True),
    "reviews:assignment_add": Rule(_d, conflict=True),
    "reviews:assignment_remove": Rule(lambda w: {"pk": w.dossier.pk,
                                                 "assignment_pk": w.assignment.pk},
                                      conflict=True),
    "reviews:review_save": Rule(_d, conflict=True),
    "reviews:session_list": Rule(),
    "reviews:session": Rule(_sess),
    "reviews:session_members": Rule(_sess),
    "reviews:session_edit": Rule(_sess),
    "reviews:session_member_remove": Rule(lambda w: {"session_pk": w.session.pk,
                                                     "member_pk": w.session_member.pk}),
    "reviews:session_agenda": Rule(_sess),
    "reviews:decision_record": Rule(lambda w: {"session_pk": w.session.pk,
                                               "pk": w.decided.pk}, conflict=HIDE_REVIEWS),
    "reviews:agenda_attachment": Rule(lambda w: {"session_pk": w.session.pk, "pk": w.decided.pk,
                                                 "attachment_pk": w.decided_attachment.pk},
                                      conflict=True),
    "reviews:recusal_declare": Rule(lambda w: {"session_pk": w.session.pk,
                                               "pk": w.decided.pk}, conflict=True),
    "reviews:session_close": Rule(_sess),
    "reviews:session_minutes": Rule(_sess, conflict=True),
    "reviews:session_letters": Rule(_sess),
    "reviews:session_letters_progress": Rule(_sess),
    "reviews:decision_letter": Rule(lambda w: {"decision_pk": w.decision.pk}, conflict=True),
    # The live meeting: the session's pages (a conflicted member's screen hides that dossier).
    "reviews:funder_envelopes": Rule(),
    "reviews:session_conduct": Rule(_sess),
    "reviews:meeting": Rule(_sess),
    "reviews:meeting_state": Rule(_sess),
    "reviews:meeting_projection": Rule(_sess),
    "reviews:meeting_status": Rule(_sess),
    "reviews:meeting_move": Rule(_sess),
    "reviews:meeting_decide": Rule(_sess),
    "reviews:meeting_presence": Rule(_sess),
    "reviews:meeting_vote": Rule(lambda w: {"session_pk": w.session.pk, "pk": w.decided.pk},
                                 conflict=True),
    # --- Mentoring ----------------------------------------------------------------------------
    "mentoring:home": Rule(access=PUBLIC),
    # Any signed-in member of a structure may state a need; the page lists their own.
    "mentoring:need_create": Rule(access=USER),
    "mentoring:my_needs": Rule(access=USER),
    "mentoring:my_need": Rule(lambda w: {"pk": w.need.pk}),
    "mentoring:my_need_withdraw": Rule(lambda w: {"pk": w.need.pk}),
    "mentoring:my_engagements": Rule(access=USER),
    "mentoring:convention": Rule(lambda w: {"pk": w.engagement.pk}),
    "mentoring:feedback": Rule(lambda w: {"pk": w.engagement.pk}),
    "mentoring:dashboard": Rule(),
    "mentoring:pilot_needs": Rule(),
    "mentoring:pilot_need": Rule(lambda w: {"pk": w.need.pk}),
    "mentoring:need_diagnose": Rule(lambda w: {"pk": w.need.pk}),
    "mentoring:need_choose": Rule(lambda w: {"pk": w.need.pk}),
    "mentoring:assignment": Rule(),
    "mentoring:assignment_run": Rule(lambda w: {"pk": w.assignment_run.pk}),
    "mentoring:assignment_run_progress": Rule(lambda w: {"pk": w.assignment_run.pk}),
    "mentoring:proposal_accept": Rule(lambda w: {"pk": w.proposal.pk}),
    "mentoring:proposal_swap": Rule(lambda w: {"pk": w.proposal.pk}),
    "mentoring:resources": Rule(),
    "mentoring:resource_create": Rule(),
    "mentoring:resource_edit": Rule(lambda w: {"pk": w.resource.pk}),
    "mentoring:engagements": Rule(),
    "mentoring:engagement": Rule(lambda w: {"pk": w.engagement.pk}),
    "mentoring:engagement_transition": Rule(lambda w: {"pk": w.engagement.pk}),
    "mentoring:session_add": Rule(lambda w: {"pk": w.engagement.pk}),
    "mentoring:session_done": Rule(lambda w: {"pk": w.engagement_session.pk}),
    "mentoring:themes": Rule(),
    "awards:payments": Rule(),
    "awards:payment_sent": Rule(lambda w: {"pk": w.payment.pk}, conflict=True),
    "awards:payment_paid": Rule(lambda w: {"pk": w.payment.pk}, conflict=True),
    "awards:payments_csv": Rule(),
    "awards:payments_xlsx": Rule(),
    "awards:payments_sepa": Rule(),
    "awards:funder_accounts": Rule(),
    "awards:envelope": Rule(),
    "awards:followup": Rule(lambda w: {"pk": w.decided.pk}, conflict=True),
    "awards:report_examine": Rule(lambda w: {"pk": w.decided.pk}, conflict=True),
    "awards:report_edit": Rule(lambda w: {"pk": w.decided.pk}, conflict=True),
    "awards:report_document_upload": Rule(lambda w: {"pk": w.decided.pk,
                                                     "requirement_pk": w.report_requirement.pk},
                                          conflict=True),
    "awards:report_document_download": Rule(lambda w: {"pk": w.decided.pk,
                                                       "attachment_pk": w.report_attachment.pk},
                                            conflict=True),
    "awards:balance_letter": Rule(lambda w: {"pk": w.decided.pk}, conflict=True),
    "awards:start_attestation": Rule(lambda w: {"pk": w.decided.pk}, conflict=True),
    "awards:start_attestation_document": Rule(lambda w: {"pk": w.decided.pk}, conflict=True),
    "bank:edit": Rule(_s),
    "mentoring:theme_edit": Rule(lambda w: {"pk": w.theme.pk}),
    "mentoring:weights": Rule(),
}

#: URL prefixes left out of the sweep: Django's admin (its own test), allauth's account pages,
#: the language switcher, static files.
SKIPPED_PREFIXES = ("admin/", "accounts/", "i18n/", "static/", "__debug__/")


@dataclass(frozen=True)
class Entry:
    name: str
    route: str
    takes_tenant: bool


def url_entries() -> list[Entry]:
    """Every named URL pattern of the project, walked from the root resolver."""
    from django.urls import URLPattern, URLResolver, get_resolver

    found: dict[str, Entry] = {}

    def walk(patterns, prefix: str, namespace: str):
        for p in patterns:
            route = prefix + str(p.pattern)
            if route.startswith(SKIPPED_PREFIXES):
                continue
            if isinstance(p, URLResolver):
                ns = namespace
                if p.namespace:
                    ns = f"{namespace}{p.namespace}:"
                walk(p.url_patterns, route, ns)
            elif isinstance(p, URLPattern):
                if not p.name:
                    raise AssertionError(f"unnamed URL pattern {route!r}: name it and add a "
                                         "sweep rule")
                name = namespace + p.name
                found.setdefault(name, Entry(name, route, "<slug:tenant_slug>" in route))

    walk(get_resolver().url_patterns, "", "")
    return sorted(found.values(), key=lambda e: e.name)


def url_for(entry: Entry, world, tenant=None) -> str:
    """The URL of `entry` for tenant A's objects, under tenant A's slug (or `tenant`'s: tenant
    B's staff then reach tenant A's objects through their own tenant's pages)."""
    from django.urls import reverse

    kwargs = dict(RULES[entry.name].kwargs(world))
    if entry.takes_tenant:
        kwargs["tenant_slug"] = (tenant or world.a).slug
    return reverse(entry.name, kwargs=kwargs)


def world_fingerprint(world) -> dict:
    """What the sweep's foreign requests must leave untouched in tenant A."""
    from applications.models import Attachment, Dossier, DossierExport, DossierMessage, Structure
    from calls.models import Call, Track
    from mentoring.models import Engagement, MatchProposal, NeedRequest, ResourcePerson
    from portal.models import Invitation, Membership, Organization, Signatory
    from reviews.models import (Assignment, CommitteeSession, ConflictDeclaration, Decision,
                                Review, SavedView)

    with scopes_disabled():
        return {
            "calls": list(Call.objects.filter(tenant=world.a).values_list("slug", "status",
                                                                          "title")),
            "tracks": Track.objects.filter(call__tenant=world.a).count(),
            "dossiers": list(Dossier.objects.filter(tenant=world.a).order_by("pk")
                             .values_list("pk", "status", "title")),
            "attachments": Attachment.objects.filter(dossier__tenant=world.a).count(),
            "exports": DossierExport.objects.filter(tenant=world.a).count(),
            "messages": DossierMessage.objects.filter(dossier__tenant=world.a).count(),
            "assignments": Assignment.objects.filter(dossier__tenant=world.a).count(),
            "reviews": list(Review.objects.filter(dossier__tenant=world.a)
                            .values_list("pk", "status", "opinion")),
            "decisions": list(Decision.objects.filter(session__tenant=world.a)
                              .values_list("pk", "outcome", "amount")),
            "sessions": list(CommitteeSession.objects.filter(tenant=world.a)
                             .values_list("pk", "status")),
            "conflicts": ConflictDeclaration.objects.filter(tenant=world.a).count(),
            "saved_views": list(SavedView.objects.filter(tenant=world.a)
                                .values_list("pk", "name", "query")),
            "organizations": Organization.objects.filter(tenant=world.a).count(),
            "signatories": Signatory.objects.filter(tenant=world.a).count(),
            "memberships": list(Membership.objects.filter(tenant=world.a).order_by("pk")
                                .values_list("pk", "role", "organization_id")),
            "invitations": list(Invitation.objects.filter(tenant=world.a)
                                .values_list("pk", "revoked_at", "accepted_at")),
            "needs": list(NeedRequest.objects.filter(tenant=world.a).order_by("pk")
                          .values_list("pk", "state", "description")),
            "proposals": list(MatchProposal.objects.filter(need__tenant=world.a)
                              .values_list("pk", "status")),
            "engagements": list(Engagement.objects.filter(tenant=world.a)
                                .values_list("pk", "state")),
            "resources": list(ResourcePerson.objects.filter(tenant=world.a)
                              .values_list("pk", "active", "last_name")),
            "structure": list(Structure.objects.filter(pk=world.structure.pk)
                              .values_list("name", "siret")),
            "structure_members": world.structure.members.count(),
            "licences": world.structure.licences.count(),
            "revenues": world.structure.revenues.count(),
        }


__all__ = ["SECRET", "REVIEW_SECRET", "HIDE_REVIEWS", "RULES", "Rule", "PRIVATE", "USER", "PUBLIC", "FOREIGN_ROLES",
           "build_world", "url_entries", "url_for", "world_fingerprint", "scopes_disabled"]
