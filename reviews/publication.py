"""What the applicant may know of instruction and committee (registered with
`applications.workflow.register_applicant_view`): a committee's decision is published when its
session closes (and the letters go out); until then the dossier is « en comité », whatever
members have recorded (they may still change it), and its history says nothing of it; once
published, the history shows the final decision only, not how the committee got there."""

from applications.enums import DossierStatus

from .workflow import DECIDED

DECISION_ACTIONS = frozenset({"reviews.decision.recorded", "reviews.decision.changed"})


def _published(dossier) -> bool:
    decision = getattr(dossier, "decision", None)  # reverse one-to-one
    return decision is None or decision.session.is_closed


def applicant_status(dossier) -> str | None:
    if dossier.status in DECIDED and not _published(dossier):
        return DossierStatus.IN_COMMITTEE
    return None


def applicant_history(dossier, events: list) -> list:
    decisions = [e for e in events if e.action in DECISION_ACTIONS]
    if not decisions:
        return events
    # A decision event exists only once a decision is recorded: the dossier is decided, or
    # past its decision (the follow-up of a grant); it shows once the session is closed.
    if getattr(dossier, "decision", None) is None or not _published(dossier):
        return [e for e in events if e.action not in DECISION_ACTIONS]
    return [e for e in events if e.action not in DECISION_ACTIONS or e is decisions[-1]]
