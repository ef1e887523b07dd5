"""The acknowledgement of receipt and the dossier export (WeasyPrint through portal.pdf).

The receipt is rendered once, after the submission commits (in the notification task), and
stored privately with its SHA-256: the applicant downloads that very file afterwards."""

import hashlib

from django.core.files.base import ContentFile

from .budget import format_percent
from .checks import check_dossier


def pdf_context(dossier) -> dict:
    check = check_dossier(dossier, snapshot=dossier.rules_snapshot)
    return {"dossier": dossier, "check": check, "tenant": dossier.tenant,
            "lines": list(dossier.budget_lines.all()),
            "partners": list(dossier.partners.all()),
            "attachments": list(dossier.attachments.select_related("requirement")),
            "requested_share": format_percent(check.budget.requested_share),
            "self_share": format_percent(check.budget.self_financing_share),
            "results": dossier.eligibility_results or check.results_json()}


def render_receipt(dossier, language: str = "fr") -> bytes:
    from portal.pdf import render_pdf

    return render_pdf(template_name="pdf/dossier_receipt.html", context=pdf_context(dossier),
                      language=language)


def render_export(dossier, language: str = "fr") -> bytes:
    from portal.pdf import render_pdf

    return render_pdf(template_name="pdf/dossier_export.html", context=pdf_context(dossier),
                      language=language)


def ensure_receipt(dossier) -> bytes:
    """The stored receipt of a filed dossier, produced on first call (idempotent)."""
    from .models import Dossier

    if dossier.receipt:
        with dossier.receipt.open("rb") as fh:
            return fh.read()
    pdf = render_receipt(dossier)
    dossier.receipt.save(f"receipt-{dossier.pk}.pdf", ContentFile(pdf), save=False)
    dossier.receipt_sha256 = hashlib.sha256(pdf).hexdigest()
    Dossier.objects.filter(pk=dossier.pk, receipt="").update(
        receipt=dossier.receipt.name, receipt_sha256=dossier.receipt_sha256)
    return pdf
