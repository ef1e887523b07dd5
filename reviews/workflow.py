"""The dossier's life in instruction and committee: the rows this app adds to the
transition table of `applications.workflow` (registered when the app is ready)."""

from applications.enums import DossierStatus as S
from applications.workflow import Transition, register_transitions

DECIDED = (S.GRANTED, S.REJECTED)

ROWS = (
    Transition(sources={S.SUBMITTED}, target=S.ELIGIBLE, perm="reviews.instruct_dossier",
               action="reviews.dossier.eligible", label="déclarer recevable"),
    Transition(sources={S.SUBMITTED}, target=S.INELIGIBLE, perm="reviews.instruct_dossier",
               action="reviews.dossier.ineligible", label="déclarer irrecevable"),
    # The first rapporteur starts the instruction.
    Transition(sources={S.ELIGIBLE}, target=S.IN_REVIEW, perm="reviews.assign_dossier",
               action="reviews.dossier.in_review", applicant_visible=False,
               label="affecter un·e rapporteur·rice"),
    Transition(sources={S.ELIGIBLE, S.IN_REVIEW}, target=S.IN_COMMITTEE,
               perm="reviews.schedule_dossier", action="reviews.dossier.in_committee",
               applicant_visible=False, label="inscrire à l'ordre du jour"),
    # A decision is recorded, then changed while its session is open; the applicant's
    # history shows it once the session is closed (applications.selectors.timeline_for).
    *(Transition(sources={S.IN_COMMITTEE}, target=outcome, perm="reviews.decide_dossier",
                 action="reviews.decision.recorded", label="décider")
      for outcome in DECIDED),
    *(Transition(sources={other}, target=outcome, perm="reviews.decide_dossier",
                 action="reviews.decision.changed", label="changer la décision")
      for outcome in DECIDED for other in DECIDED if other != outcome),
)


def register() -> None:
    register_transitions(*ROWS)


# --- The committee session's own life ------------------------------------------------------
# One table, applied by reviews.services.session_status_set (open, suspend, close): a session
# is prepared, sits (« en séance », the live meeting the chair leads), then is closed. A
# prepared session may still be closed directly (decisions recorded outside a meeting).

def _session_rows():
    from .enums import SessionStatus as SS

    return {
        SS.PLANNED: {SS.IN_SESSION, SS.CLOSED},
        SS.IN_SESSION: {SS.PLANNED, SS.CLOSED},
        SS.CLOSED: set(),
    }


def session_can_move(source: str, target: str) -> bool:
    return target in _session_rows().get(source, set())
