"""What instruction and committee add to `portal.privacy` and `applications.privacy`: an
officer's reviews keep their account; a dossier closed at eligibility or by a decision closed
then; its decision's letter goes with it."""

from django.db.models import F, Max, OuterRef, Subquery
from django.utils.translation import gettext as _

from .models import EligibilityReview, Review


def reviews_blocker(user) -> list[str]:
    if Review.objects.filter(officer=user).exists():
        return [_("Vos évaluations de dossiers font partie de l'instruction : demandez à "
                  "l'administrateur·rice du contrat la suppression de votre compte.")]
    return []


def last_eligibility_review():
    return Subquery(EligibilityReview.objects.filter(dossier=OuterRef("pk"))
                    .values("dossier").annotate(at=Max("created_at")).values("at"))


def decided_at():
    return F("decision__decided_at")


def decision_of(dossier) -> list:
    decision = getattr(dossier, "decision", None)
    return [decision] if decision is not None else []


def register() -> None:
    from applications.privacy import register_closing_date, register_purge_targets
    from portal.privacy import register_deletion_blocker

    register_deletion_blocker(reviews_blocker)
    register_closing_date(decided_at)
    register_closing_date(last_eligibility_review)
    register_purge_targets(decision_of)
