"""A committee session's decision letters in one batch, and its progress.

After closing, the session's letters are rendered by `reviews.decision_letter` tasks (one per
decision, through the outbox). Officers may run the batch again (a letter whose data did not
change is not re-rendered). Progress = decisions whose letter is stored / decisions: the
decisions of a closed session are frozen, so a stored letter is final.
"""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from portal.audit import audit_log
from portal.models import GeneratedDocument
from portal.outbox import enqueue

from .letters import LETTER_KIND
from .models import Decision


def session_letters_progress(session) -> dict:
    """{"total": decisions, "done": letters stored} in two queries."""
    ids = [str(pk) for pk in Decision.objects.filter(session=session).values_list("pk", flat=True)]
    done = GeneratedDocument.objects.filter(
        kind=LETTER_KIND, target_type=ContentType.objects.get_for_model(Decision),
        target_id__in=ids).count() if ids else 0
    return {"total": len(ids), "done": done}


@transaction.atomic
def session_letters_generate(*, user, session) -> int:
    """Queue the letter of every decision of a closed session; returns how many."""
    from .services import ReviewError

    if not user.has_perm("reviews.generate_letters", session.tenant):
        raise PermissionDenied("reviews.generate_letters")
    if not session.is_closed:
        raise ReviewError(_("Les courriers sont produits une fois la séance close."))
    decisions = list(Decision.objects.filter(session=session).values_list("pk", flat=True))
    for decision_id in decisions:
        enqueue("reviews.decision_letter", decision_id=decision_id)
    audit_log(tenant=session.tenant, actor=user, action="reviews.session.letters_requested",
              target=session, data={"decisions": len(decisions)})
    return len(decisions)
