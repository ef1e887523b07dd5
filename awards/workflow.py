"""The dossier's life after the grant: the states and rows this app adds to the transition
table of `applications.workflow` (registered when the app is ready). Each row is applied by
`applications.services.dossier_transition`, called by one service of `awards.services`."""

from applications.enums import DossierStatus
from applications.workflow import Transition, register_states, register_transitions

from .enums import AwardStatus as A

ROWS = (
    # The committee's session closes: the schedule is made (awards.services.schedule_create).
    Transition(sources={DossierStatus.GRANTED}, target=A.ADVANCE_DUE, perm=None,
               action="awards.dossier.advance_due", label="ouvrir le versement de l'avance"),
    # A grant without advance waits for its report from the start.
    Transition(sources={DossierStatus.GRANTED}, target=A.REPORT_DUE, perm=None,
               action="awards.dossier.report_due", label="attendre le bilan"),
    Transition(sources={A.ADVANCE_DUE}, target=A.ADVANCE_PAID, perm="awards.pay_dossier",
               action="awards.dossier.advance_paid", enqueue=("awards.advance_paid_email",),
               label="verser l'avance"),
    # The action is over: the report is expected (daily task, awards.tasks).
    Transition(sources={A.ADVANCE_PAID}, target=A.REPORT_DUE, perm=None,
               action="awards.dossier.report_due", label="attendre le bilan"),
    Transition(sources={A.ADVANCE_PAID, A.REPORT_DUE}, target=A.REPORT_OVERDUE, perm=None,
               action="awards.dossier.report_overdue", enqueue=("awards.report_overdue_email",),
               label="constater le retard du bilan"),
    Transition(sources={A.ADVANCE_PAID, A.REPORT_DUE, A.REPORT_OVERDUE}, target=A.REPORT_FILED,
               perm="awards.file_report", action="awards.dossier.report_filed",
               enqueue=("awards.report_filed_email",), label="déposer le bilan"),
    Transition(sources={A.REPORT_FILED}, target=A.REPORT_DUE, perm="awards.examine_report",
               action="awards.dossier.report_completion_requested",
               enqueue=("awards.report_completion_email",),
               label="demander des compléments au bilan"),
    Transition(sources={A.REPORT_FILED}, target=A.REPORT_ACCEPTED, perm="awards.examine_report",
               action="awards.dossier.report_accepted", enqueue=("awards.balance_letter",),
               label="accepter le bilan"),
    Transition(sources={A.REPORT_FILED}, target=A.REEVALUATED, perm="awards.examine_report",
               action="awards.dossier.reevaluated", enqueue=("awards.balance_letter",),
               label="réévaluer l'aide"),
    Transition(sources={A.REPORT_ACCEPTED, A.REEVALUATED}, target=A.BALANCE_PAID,
               perm="awards.pay_dossier", action="awards.dossier.balance_paid",
               label="verser le solde"),
    Transition(sources={A.BALANCE_PAID}, target=A.CLOSED, perm="awards.examine_report",
               action="awards.dossier.closed", label="clore le dossier"),
)


def register() -> None:
    register_states(A)
    register_transitions(*ROWS)
