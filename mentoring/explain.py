"""French (gettext) wording of the matchmaker's results: filters, factors and evidence."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import ngettext

from portal.enums import Aesthetic, MainActivity
from portal.formatting import format_date_fr
from portal.validators import INSEE_REGION_CODES

from . import matchmaker as mm

FACTOR_LABELS = {
    "theme": gettext_lazy("Thématiques et niveau"),
    "sector": gettext_lazy("Secteur et esthétiques"),
    "proximity": gettext_lazy("Proximité"),
    "load": gettext_lazy("Équilibre de la charge"),
    "feedback": gettext_lazy("Retours passés"),
}

FILTER_LABELS = {
    mm.INACTIVE: gettext_lazy("inactive dans le vivier"),
    mm.SAME_STRUCTURE: gettext_lazy("même structure que le ou la bénéficiaire"),
    mm.CONFLICT: gettext_lazy("conflit d'intérêts déclaré"),
    mm.NO_THEME: gettext_lazy("ne couvre aucune thématique du besoin"),
    mm.CAPACITY: gettext_lazy("capacité annuelle atteinte"),
    mm.DAYS: gettext_lazy("plus assez de jours disponibles cette année"),
    mm.AVAILABILITY: gettext_lazy("disponibilités sans période commune"),
}


def _fmt_date(value) -> str:
    return format_date_fr(value) if value else "…"


def _days(value) -> str:
    return fmt_days(value)


def fmt_days(value) -> str:
    """``Decimal("2.0")`` → ``2``; ``1.5`` → ``1,5`` (French decimal comma)."""
    from decimal import Decimal

    return format(Decimal(str(value)).normalize(), "f").replace(".", ",")


def exclusion_text(ex: mm.Exclusion, *, structures: dict | None = None) -> str:
    d = ex.detail
    if ex.code == mm.SAME_STRUCTURE:
        return _("Même structure que le ou la bénéficiaire")
    if ex.code == mm.CONFLICT:
        return _("Conflit d'intérêts déclaré avec la structure bénéficiaire")
    if ex.code == mm.NO_THEME:
        return _("Ne couvre aucune des thématiques demandées")
    if ex.code == mm.CAPACITY:
        return _("Capacité atteinte : %(used)s accompagnement(s) sur %(capacity)s cette année") % d
    if ex.code == mm.DAYS:
        return _("Jours insuffisants : %(used)s j déjà engagés + %(days)s j demandés > %(cap)s j "
                 "par an") % {"used": _days(d["days_used"]), "days": _days(d["days"]),
                              "cap": _days(d["capacity_days"])}
    if ex.code == mm.AVAILABILITY:
        nf, nu = d["need"]
        rf, ru = d["resource"]
        return _("Disponibilités sans période commune (besoin : %(nf)s – %(nu)s ; "
                 "personne-ressource : %(rf)s – %(ru)s)") % {
            "nf": _fmt_date(nf), "nu": _fmt_date(nu), "rf": _fmt_date(rf), "ru": _fmt_date(ru)}
    if ex.code == mm.INACTIVE:
        return _("Inactive dans le vivier")
    if ex.code == mm.NO_CANDIDATE:
        counts = d.get("counts", {})
        parts = [f"{FILTER_LABELS[code]} ({n})" for code, n in counts.items()]
        return _("Aucune personne-ressource ne peut répondre (sur %(total)s : %(why)s)") % {
            "total": d.get("resources", 0), "why": ", ".join(parts) or _("vivier vide")}
    if ex.code == mm.OUTBID:
        return ngettext(
            "%(n)s personne-ressource éligible, déjà retenue pour des besoins mieux appariés",
            "%(n)s personnes-ressources éligibles, déjà retenues pour des besoins mieux appariés",
            d.get("eligible", 0)) % {"n": d.get("eligible", 0)}
    if ex.code == mm.OUTBID_DAYS:
        return ngettext(
            "%(n)s personne-ressource éligible : il ne lui reste plus assez de jours cette année "
            "une fois retenus les besoins mieux appariés",
            "%(n)s personnes-ressources éligibles : les jours qui leur restent cette année sont "
            "pris par des besoins mieux appariés (%(days)s n'ont plus assez de jours, les "
            "autres plus de place)",
            d.get("eligible", 0)) % {"n": d.get("eligible", 0), "days": d.get("by_days", 0)}
    return ex.code


def assignment_quality_text(*, optimal: bool, gap_percent) -> str:
    """What the page says of the global assignment's optimality."""
    if optimal:
        return _("Répartition optimale : aucune autre ne donne un score total plus élevé.")
    return _("Meilleure répartition trouvée dans le temps imparti : au plus %(gap)s %% sous "
             "l'optimum.") % {"gap": fmt_days(gap_percent)}


def evidence_text(code: str, params: dict, *, themes: dict) -> str:
    if code == "theme_level":
        return _("%(theme)s : niveau %(level)s/3") % {
            "theme": themes.get(params["theme_id"], params["theme_id"]), "level": params["level"]}
    if code == "theme_missing":
        return _("%(theme)s : non couverte") % {
            "theme": themes.get(params["theme_id"], params["theme_id"])}
    if code == "same_activity":
        return _("même activité principale (%(a)s)") % {"a": _label(MainActivity,
                                                                   params["activity"])}
    if code == "other_activity":
        return _("activité principale différente (%(a)s)") % {
            "a": _label(MainActivity, params["activity"]) or _("non renseignée")}
    if code == "shared_aesthetics":
        return _("esthétiques communes : %(a)s") % {
            "a": ", ".join(_label(Aesthetic, a) for a in params["aesthetics"])}
    if code == "no_shared_aesthetics":
        return _("aucune esthétique commune")
    if code == "same_departement":
        return _("même département (%(d)s)") % {"d": params["departement"]}
    if code == "same_region":
        return _("même région (%(r)s), département %(d)s") % {
            "r": INSEE_REGION_CODES.get(params["region"], params["region"]),
            "d": params["departement"]}
    if code == "remote":
        return _("éloigné·e (département %(d)s) mais accompagnement à distance possible") % {
            "d": params["departement"]}
    if code == "far":
        return _("éloigné·e (département %(d)s), pas d'accompagnement à distance") % {
            "d": params["departement"] or "—"}
    if code == "load":
        return _("%(used)s accompagnement(s) sur %(capacity)s cette année") % params
    if code == "feedback":
        return ngettext("moyenne %(avg)s/5 sur %(n)s retour", "moyenne %(avg)s/5 sur %(n)s retours",
                        params["count"]) % {"avg": _days(params["average"]), "n": params["count"]}
    if code == "no_feedback":
        return _("pas encore de retour (valeur neutre)")
    return code


def _label(enum, value) -> str:
    try:
        return str(enum(value).label)
    except ValueError:
        return value or ""


def explain_candidate(c: mm.Candidate, *, themes: dict) -> dict:
    """A template-friendly breakdown: one row per factor; the points add up to the total."""
    return {
        "resource_id": c.resource_id,
        "score": c.score,
        "factors": [{
            "key": f.key,
            "label": FACTOR_LABELS[f.key],
            "points": f.points,
            "weight": f.weight,
            "ratio_text": f"{f.numerator}/{f.denominator}",
            "evidence": [evidence_text(code, params, themes=themes)
                         for code, params in f.evidence],
        } for f in c.factors],
    }


def breakdown_json(c: mm.Candidate, *, themes: dict) -> dict:
    """What a stored proposal keeps of its explanation (plain JSON)."""
    data = explain_candidate(c, themes=themes)
    return {"score": str(data["score"]), "factors": [
        {**f, "label": str(f["label"]), "points": str(f["points"])} for f in data["factors"]]}
