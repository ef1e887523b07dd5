"""Permissions of joint instruction and committee.

Tenant-level permissions take the Tenant; dossier-level ones take a Dossier (a filed one:
drafts stay the applicant's). A conflicted officer (declared link with the dossier's
structure or one of its partners, matched on SIRET) may neither open its reviews nor score
it; views answer 404 to anything the user may not see.
"""

import rules

from portal.enums import Role
from portal.rules import is_committee_member, is_instructor, is_tenant_admin, on_tenant_of
from portal.tenancy import roles_of


def _roles(user, dossier):
    return roles_of(user, dossier.tenant) if dossier is not None else frozenset()


@rules.predicate
def is_instructor_of_dossier(user, dossier) -> bool:
    return (dossier is not None and not dossier.is_draft
            and Role.INSTRUCTOR in _roles(user, dossier))


@rules.predicate
def is_committee_of_dossier(user, dossier) -> bool:
    return (dossier is not None and not dossier.is_draft
            and Role.COMMITTEE in _roles(user, dossier))


@rules.predicate
def is_conflicted(user, dossier) -> bool:
    if dossier is None or not getattr(user, "is_authenticated", False):
        return False
    from .selectors import conflicted_dossier_ids_for

    return dossier.pk in conflicted_dossier_ids_for(user, dossier.tenant, [dossier.pk])


@rules.predicate
def is_assigned(user, dossier) -> bool:
    if dossier is None or not getattr(user, "is_authenticated", False):
        return False
    assigned = getattr(dossier, "assigned_officer_ids", None)
    if assigned is not None:  # the dossier's rapporteurs, read by the page that asks
        return user.pk in assigned
    from .models import Assignment

    return Assignment.objects.filter(dossier=dossier, officer=user).exists()


rules.add_perm("reviews.view_dashboard", is_instructor)
rules.add_perm("reviews.assign", is_instructor | is_tenant_admin)
#: The coordinator's menu entry to the assignments (instructors reach them from the dashboard).
rules.add_perm("reviews.assign_from_menu", is_tenant_admin & ~is_instructor)
rules.add_perm("reviews.declare_conflicts", is_instructor | is_committee_member)
rules.add_perm("reviews.view_conflict_registry", is_tenant_admin)
rules.add_perm("reviews.view_conflicts", is_instructor | is_committee_member | is_tenant_admin)
rules.add_perm("reviews.view_sessions", is_committee_member | is_tenant_admin | is_instructor)
rules.add_perm("reviews.manage_sessions", is_tenant_admin)
rules.add_perm("reviews.generate_letters", is_tenant_admin | is_instructor)
rules.add_perm("reviews.decide", is_committee_member | is_tenant_admin)

# Dossier-level
rules.add_perm("reviews.instruct_dossier", is_instructor_of_dossier & ~is_conflicted)
rules.add_perm("reviews.view_reviews",
               (is_instructor_of_dossier | is_committee_of_dossier) & ~is_conflicted)
rules.add_perm("reviews.score_dossier",
               is_instructor_of_dossier & is_assigned & ~is_conflicted)


@rules.predicate
def may_read_scores(user, dossier) -> bool:
    """Blind review (reviews.selectors.scores_visible_q, the one rule every page, dashboard
    and export applies): the others' scores, opinions and their aggregate."""
    from .selectors import scores_visible

    return scores_visible(user, dossier)


rules.add_perm("reviews.view_scores", may_read_scores)

@rules.predicate
def is_staff_of_decision(user, decision) -> bool:
    """An instructor, committee member or admin of the decision's tenant, with no declared
    link on its dossier."""
    if decision is None:
        return False
    dossier = decision.dossier
    return (bool({Role.INSTRUCTOR, Role.COMMITTEE, Role.ADMIN} & _roles(user, dossier))
            and not is_conflicted(user, dossier))


@rules.predicate
def is_member_of_decided_structure(user, decision) -> bool:
    from applications.rules import is_structure_member

    return decision is not None and is_structure_member(user, decision.dossier.structure)


rules.add_perm("reviews.read_decision_letter",
               is_staff_of_decision | is_member_of_decided_structure)

# Dossier-level forms of the tenant-level rules above, checked by the dossier's transition
# table (reviews.workflow) on the dossier itself.
rules.add_perm("reviews.assign_dossier", on_tenant_of("reviews.assign"))
rules.add_perm("reviews.schedule_dossier", on_tenant_of("reviews.manage_sessions"))
rules.add_perm("reviews.decide_dossier", on_tenant_of("reviews.decide") & ~is_conflicted)

# --- Committee: who reads and who decides an agenda dossier (the object is an AgendaItem) ----

def _item_roles(user, item):
    return roles_of(user, item.session.tenant) if item is not None else frozenset()


@rules.predicate
def is_tenant_admin_of_item(user, item) -> bool:
    return Role.ADMIN in _item_roles(user, item)


@rules.predicate
def is_instructor_of_item(user, item) -> bool:
    return Role.INSTRUCTOR in _item_roles(user, item)


def _annotated_for(user, item) -> bool:
    """Whether `item` carries the viewer's seat, recusal and conflict (set by
    selectors.agenda_rows: the agenda checks them without a query per item)."""
    return getattr(item, "viewer_id", None) == user.pk


def _seat(user, item):
    """None (not seated), False (seated, absent) or True (present)."""
    if item is None or not getattr(user, "is_authenticated", False):
        return None
    if _annotated_for(user, item):
        return item.viewer_present
    from .models import CommitteeMember

    return CommitteeMember.objects.filter(session_id=item.session_id, user=user).values_list(
        "present", flat=True).first()


@rules.predicate
def is_seated_in_items_session(user, item) -> bool:
    """A member of the item's session (for any funder), present or not."""
    return Role.COMMITTEE in _item_roles(user, item) and _seat(user, item) is not None


@rules.predicate
def is_present_in_items_session(user, item) -> bool:
    return Role.COMMITTEE in _item_roles(user, item) and _seat(user, item) is True


@rules.predicate
def is_recused_on_item(user, item) -> bool:
    if item is None or not getattr(user, "is_authenticated", False):
        return False
    if _annotated_for(user, item):
        return item.viewer_recused
    from .models import Recusal

    return Recusal.objects.filter(session_id=item.session_id, dossier_id=item.dossier_id,
                                  user=user).exists()


@rules.predicate
def is_conflicted_on_item(user, item) -> bool:
    if item is not None and _annotated_for(user, item):
        return item.viewer_conflicted
    return item is not None and is_conflicted(user, item.dossier)


_not_excused = ~is_recused_on_item & ~is_conflicted_on_item

# A seated member reads each agenda dossier of their session (application, budget, documents,
# eligibility, and the reviews under the blind-review rule), read-only; the tenant admin and
# the tenant's instructors (who prepare the committee) too; never a recused or conflicted one.
rules.add_perm("reviews.read_agenda_dossier",
               (is_tenant_admin_of_item | is_seated_in_items_session | is_instructor_of_item)
               & _not_excused)
# Only members of that session, present and not recused on that dossier, and the tenant
# admin record its decision.
rules.add_perm("reviews.decide_agenda_dossier",
               (is_tenant_admin_of_item | is_present_in_items_session) & _not_excused)
# The header's way to the conflict-of-interest declarations for committee members
# (instructors reach it from the instruction pages).
rules.add_perm("reviews.declare_conflicts_from_menu", is_committee_member & ~is_instructor)

# --- The live meeting (the object is a CommitteeSession) -------------------------------------

def _session_roles(user, session):
    return roles_of(user, session.tenant) if session is not None else frozenset()


@rules.predicate
def is_tenant_admin_of_session(user, session) -> bool:
    return Role.ADMIN in _session_roles(user, session)


@rules.predicate
def is_designated_chair(user, session) -> bool:
    """The member the admin designated to chair this session (still a committee member)."""
    return (session is not None and getattr(user, "is_authenticated", False)
            and session.chair_id == user.pk and Role.COMMITTEE in _session_roles(user, session))


@rules.predicate
def is_seated_in_session(user, session) -> bool:
    if session is None or not getattr(user, "is_authenticated", False):
        return False
    if Role.COMMITTEE not in _session_roles(user, session):
        return False
    from .models import CommitteeMember

    return CommitteeMember.objects.filter(session=session, user=user).exists()


@rules.predicate
def is_instructor_of_session(user, session) -> bool:
    return Role.INSTRUCTOR in _session_roles(user, session)


# The chair leads the meeting: opens it, moves through the agenda, proposes the split, records
# arrivals and departures; the admin of the contract always may.
rules.add_perm("reviews.chair_session", is_tenant_admin_of_session | is_designated_chair)
# Who follows the meeting on their screen: the chair, the seated members, the instructors who
# prepared it (each agenda dossier then follows reviews.read_agenda_dossier).
rules.add_perm("reviews.follow_session", is_tenant_admin_of_session | is_designated_chair
               | is_seated_in_session | is_instructor_of_session)
# A nominal vote: a member present and not recused on the dossier (the admin votes only if seated).
rules.add_perm("reviews.vote_agenda_dossier", is_present_in_items_session & _not_excused)


@rules.predicate
def is_conflicted_in_session(user, session) -> bool:
    """A declared link with a dossier on the session's agenda (or decided in it)."""
    if session is None or not getattr(user, "is_authenticated", False):
        return False
    from .models import AgendaItem, Decision
    from .selectors import conflicted_dossier_ids_for

    dossier_ids = (set(AgendaItem.objects.filter(session=session)
                       .values_list("dossier_id", flat=True))
                   | set(Decision.objects.filter(session=session)
                         .values_list("dossier_id", flat=True)))
    return bool(dossier_ids
                and conflicted_dossier_ids_for(user, session.tenant, dossier_ids))


@rules.predicate
def is_recused_in_session(user, session) -> bool:
    """Recused (déporté) on at least one dossier of the session."""
    if session is None or not getattr(user, "is_authenticated", False):
        return False
    from .models import Recusal

    return Recusal.objects.filter(session=session, user=user).exists()


# The minutes name every agenda dossier's decision: whoever has a declared conflict with one of
# them (issue 13 finding 12), or was recused on one of them, does not download them — as
# HotCRP keeps a conflicted PC member out of the paper's discussion, and as the session's pages
# already keep a recused member off that dossier (reviews.read_agenda_dossier). They are
# refused whole rather than served a copy without that dossier: the minutes are one signed
# record whose totals and envelope lines would still give the missing decision away.
@rules.predicate
def is_staff_of_session(user, session) -> bool:
    return bool({Role.ADMIN, Role.COMMITTEE, Role.INSTRUCTOR} & _session_roles(user, session))


rules.add_perm("reviews.read_session_minutes", is_staff_of_session & ~is_conflicted_in_session
               & ~is_recused_in_session)
