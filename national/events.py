"""French sentences of the national view's audit actions (see portal/events.py)."""

from django.utils.translation import gettext_lazy as _

from portal.events import register_many

register_many({
    "national.officer.granted": _("Rôle d’agent·e national·e accordé à %(email)s "
                                  "(%(organisation)s)"),
    "national.officer.revoked": _("Rôle d’agent·e national·e retiré à %(email)s"),
    "national.view.exported": _("Chiffres nationaux exportés (XLSX)"),
})
