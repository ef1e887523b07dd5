"""Every audit event reads as a French sentence (portal/events.py): each action the code can
log has a renderer, renderers format amounts and dates and never show a dotted code or a
Python dict; the histories and the admin's journal show the sentences; no status label is
taken over by another catalogue (« Close » was shown as « Fermer »)."""

import html
import importlib.util
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.utils import translation

from portal.events import has_renderer, registered_actions, render_event

ROOT = Path(__file__).resolve().parents[2]
APPS = ("portal", "calls", "applications", "reviews", "mentoring", "national")
ACTION = re.compile(r"""["']((?:portal|calls|applications|reviews|mentoring|awards)"""
                    r"""\.[a-z_]+\.[a-z_]+)["']""")
CODE_ON_SCREEN = re.compile(r"\b(?:portal|calls|applications|reviews|mentoring|awards)"
                            r"\.[a-z_]+\.[a-z_]+\b")
NBSP = "\u00a0"


def _is_module(dotted: str) -> bool:
    try:
        return importlib.util.find_spec(dotted) is not None
    except ModuleNotFoundError:
        return False


def _is_attribute(dotted: str) -> bool:
    """« portal.views.errors »-like: a module's attribute (a view, a setting), no action."""
    module, _sep, name = dotted.rpartition(".")
    if not _is_module(module):
        return False
    return hasattr(importlib.import_module(module), name)


def actions_in_code() -> set[str]:
    """The audit actions the code can log: dotted literals in the apps' code, the transition
    table's rows and the actions built from a name (calls items, engagement states)."""
    from applications.workflow import transitions
    from calls.events import VERBS
    from calls.services import ITEM_ACTION
    from mentoring.enums import EngagementState

    found = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts or path.name == "events.py":
                continue
            for name in ACTION.findall(path.read_text()):
                if not _is_module(name) and not _is_attribute(name):
                    found.add(name)
    # (an example in a docstring names an app that does not exist)
    from django.apps import apps

    found = {a for a in found if apps.is_installed(a.split(".")[0])
             or any(c.label == a.split(".")[0] for c in apps.get_app_configs())}
    found |= {row.action for _s, _t, row in transitions()}
    found |= {f"calls.{item}.{verb}" for item in ITEM_ACTION.values() for verb in VERBS}
    found |= {f"mentoring.engagement.{state}" for state in EngagementState.values}
    return found


def test_every_audit_action_of_the_code_has_a_french_sentence():
    actions = actions_in_code()
    assert len(actions) > 80
    assert sorted(a for a in actions if not has_renderer(a)) == []


SAMPLE = {"amount": "7500.00", "shares": {"cnm": "5000.00", "region": "2500.00"},
          "outcome": "granted", "date": "2026-12-01", "session_date": "2026-12-01",
          "expires_at": "2026-12-15T09:14:00+00:00", "due_at": "2026-12-15T22:59:59+00:00",
          "reference": "HDF-2026-COOP-0001", "title": "Aide à la coopération", "label": "Siège",
          "name": "Centre national de la musique", "email": "lea@example.org", "role": "admin",
          "from": "pass", "to": "fail", "justification": "Pièce fournie", "funder": "cnm",
          "step": "budget", "steps": ["budget"], "year": 2022, "category": "2",
          "number": "L-2-001", "siret": "12345678900012", "threshold": "3.5",
          "present": [1, 2, 3], "decisions": [1, 2], "added": [1], "created": 4,
          "unassignable": [], "rules_version": 2, "format": "xlsx", "rows": 12,
          "person_name": "Léa Martin", "first_name": "Léa", "last_name": "Martin",
          "user": "lea@example.org", "kind": "cnm", "planned_days": "1.5", "days": "1.0",
          "side": "beneficiary", "rating": 4, "from_slug": "cooperation-2025", "reason": "",
          "assigned": 3, "needs": 4, "resources": 5, "files": 2, "quorum": 3}


@pytest.mark.parametrize("data", [{}, SAMPLE], ids=["empty", "sample"])
def test_no_sentence_shows_a_code_a_dict_or_an_unfilled_placeholder(data):
    with translation.override("fr"):
        for action in sorted(registered_actions()):
            text = render_event(SimpleNamespace(action=action, data=data, target_type=None))
            assert text and isinstance(text, str), action
            for bad in ("{'", "None", "%(", "True", "False", "[", action):
                assert bad not in text, (action, text)
            assert not CODE_ON_SCREEN.search(text), (action, text)


def _sentence(action, **data):
    with translation.override("fr"):
        return render_event(SimpleNamespace(action=action, data=data, target_type=None))


def test_sentences_format_money_dates_and_labels_in_french():
    assert _sentence("reviews.decision.recorded", outcome="granted", amount="7500.00",
                     shares={"cnm": "5000.00", "region": "2500.00"}) == (
        f"Décision enregistrée : aide accordée de 7{NBSP}500,00{NBSP}€ (Centre national de la "
        f"musique 5{NBSP}000,00{NBSP}€ ; Région 2{NBSP}500,00{NBSP}€)")
    assert _sentence("reviews.session.created", date="2026-12-01") == \
        "Séance du comité créée pour le 1er décembre 2026"
    assert _sentence("reviews.eligibility.overridden", label="Siège en région", **{
        "from": "fail", "to": "pass"}, justification="Siège à Lille") == (
        "Critère « Siège en région » corrigé : Non respecté → Respecté (« Siège à Lille »)")
    assert _sentence("applications.structure.revenue_saved", year=2022, amount="85000.5") == \
        f"Chiffre d’affaires 2022 enregistré : 85{NBSP}000,50{NBSP}€"
    assert _sentence("portal.invitation.resent", email="lea@example.org",
                     expires_at="2026-12-15T08:14:00+00:00") == (
        f"Invitation renvoyée à lea@example.org, valable jusqu’au 15 décembre 2026 à "
        f"9{NBSP}h{NBSP}14")
    assert _sentence("reviews.settings.threshold_set", threshold="3.5") == \
        "Seuil de désaccord fixé à 3,5 points sur 20"


def test_no_enum_label_is_translated_by_another_catalogue():
    """A French label that is also an English word of Django's catalogues (« Close ») must not
    come out translated (« Fermer »)."""
    from django.db import models

    modules = [f"{app}.enums" for app in APPS]
    problems = []
    with translation.override("fr"):
        for name in modules:
            module = importlib.import_module(name)
            for obj in vars(module).values():
                if isinstance(obj, type) and issubclass(obj, models.Choices) and \
                        obj.__module__ == name:
                    for member in obj:
                        label = member.label
                        source = getattr(label, "_args", [str(label)])[-1]
                        if str(label) != source:
                            problems.append(f"{obj.__name__}.{member.name}: {source!r} → "
                                            f"{str(label)!r}")
    assert problems == []


@pytest.mark.django_db
def test_journal_and_histories_show_sentences_not_codes(client, tenant, admin_user, unscoped):
    from django_scopes import scope

    from portal.audit import audit_log
    from tests.factories.applications import DossierFactory
    from tests.factories.calls import CallFactory

    with scope(tenant=tenant):
        call = CallFactory(tenant=tenant, slug="cooperation")
        dossier = DossierFactory(call=call)
    audit_log(tenant=tenant, actor=admin_user, action="reviews.decision.recorded",
              target=dossier, data={"outcome": "granted", "amount": "7500.00",
                                    "shares": {"cnm": "7500.00"}, "recused": []})
    audit_log(tenant=tenant, actor=admin_user, action="calls.call.updated", target=call,
              data={"title": "Nouveau titre", "envelope": "150000.00"})
    client.force_login(admin_user)
    from django.conf import settings

    settings.PORTAL_REQUIRE_STAFF_2FA = False
    body = html.unescape(client.get(f"/{tenant.slug}/gestion/journal/").content.decode())
    assert f"Décision enregistrée : aide accordée de 7{NBSP}500,00{NBSP}€" in body
    assert "Appel modifié : intitulé, enveloppe (€)" in body
    assert not CODE_ON_SCREEN.search(body.split("<main", 1)[1])
    assert "{'" not in body
    body = html.unescape(client.get(f"/{tenant.slug}/gestion/appels/{call.slug}/").content
                         .decode())
    assert "Appel modifié : intitulé, enveloppe (€)" in body
    assert "<code>" not in body.split("<main", 1)[1]
