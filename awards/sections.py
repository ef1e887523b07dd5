"""What the dossier page shows of the follow-up (a section registered on the applications'
dossier page): the state in words, the schedule per funder, the final report's deadline and
the way to file it, the balance letter; for instructors, the way to the follow-up page."""

from django.utils.translation import gettext_lazy as _

from .enums import REPORT_OPEN_STATES, AwardStatus, PaymentKind, PaymentStatus

#: What the applicant is told of each state, in words.
STATE_SENTENCES = {
    AwardStatus.ADVANCE_DUE: _("L'aide est accordée : les financeurs mettent l'avance en paiement."),
    AwardStatus.ADVANCE_PAID: _("L'avance est versée. Le bilan final sera à déposer ici à la fin "
                              "de l'action."),
    AwardStatus.REPORT_DUE: _("Le bilan final est attendu : déposez-le avant la date limite."),
    AwardStatus.REPORT_OVERDUE: _("Le bilan final est en retard : déposez-le dès que possible. "
                                "Tant qu'il manque, le solde ne peut être versé et vos "
                                "nouvelles demandes ne remplissent pas le critère « Bilan des "
                                "précédentes aides transmis »."),
    AwardStatus.REPORT_FILED: _("Le bilan final est déposé : les instructeur·rices l'examinent."),
    AwardStatus.REPORT_ACCEPTED: _("Le bilan final est accepté : le solde est mis en paiement."),
    AwardStatus.REEVALUATED: _("L'aide a été réévaluée au vu du bilan final : le courrier "
                             "ci-dessous indique l'aide définitive et, le cas échéant, ce que "
                             "vous devez reverser."),
    AwardStatus.BALANCE_PAID: _("Le solde est réglé."),
    AwardStatus.CLOSED: _("L'aide est soldée et le dossier clos."),
}


#: « Avance à verser » while the advance waits for the structure's start attestation.
AWAITING_START_SENTENCE = _("L'aide est accordée : l'avance sera mise en paiement dès que la "
                            "structure aura attesté le démarrage de l'action.")


def state_sentence(status: str, *, awaiting_start: bool = False) -> str:
    if awaiting_start and status == AwardStatus.ADVANCE_DUE:
        return str(AWAITING_START_SENTENCE)
    return str(STATE_SENTENCES.get(status, ""))


def followup_section(dossier, user) -> dict | None:
    from .letters import letter_is_due, stored_letter
    from .selectors import bank_account_of, report_of, schedule_of, start_attestation_of

    if dossier.status not in AwardStatus.values:
        return None
    schedule = [p for p in schedule_of(dossier) if p.status != PaymentStatus.CANCELLED]
    report = report_of(dossier)
    is_member = user.has_perm("awards.file_report", dossier)
    awaiting_start = (dossier.status == AwardStatus.ADVANCE_DUE
                      and any(p.awaits_start for p in schedule))
    return {
        "sentence": state_sentence(dossier.status, awaiting_start=awaiting_start),
        "schedule": schedule, "report": report,
        "has_recovery": any(p.kind == PaymentKind.RECOVERY for p in schedule),
        "awaiting_convention": any(p.awaits_convention for p in schedule),
        "awaiting_start": awaiting_start,
        "start_attestation": start_attestation_of(dossier),
        "may_file": is_member and dossier.status in REPORT_OPEN_STATES,
        "is_member": is_member,
        "is_staff": user.has_perm("awards.examine_report", dossier),
        "letter_due": letter_is_due(dossier), "letter": stored_letter(report),
        "needs_bank_account": (user.has_perm("awards.change_bank_account", dossier.structure)
                               and bank_account_of(dossier.structure) is None),
        "may_edit_bank_account": user.has_perm("awards.change_bank_account", dossier.structure),
    }
