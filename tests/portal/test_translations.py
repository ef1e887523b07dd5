"""The English catalogue is complete, and the public pages really render in English.

The catalogue is parsed in pure Python (no gettext tools needed in CI): every entry
must have a translation and none may be flagged fuzzy (Django ignores fuzzy entries).
"""
import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import CallFactory, SignatoryFactory, OrganizationFactory

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"


def _entries(path):
    """Yield dicts {flags, msgid, msgid_plural, msgstr, msgstr[0], ...} for each live entry."""
    entry, key = {"flags": set()}, None
    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:
            if "msgid" in entry:
                yield entry
            entry, key = {"flags": set()}, None
        elif line.startswith("#~"):
            continue  # obsolete entry
        elif line.startswith("#,"):
            entry["flags"] |= {f.strip() for f in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[key] += ast.literal_eval(line)
        else:
            key, _, value = line.partition(" ")
            entry[key] = ast.literal_eval(value)


def _catalogue():
    return [e for e in _entries(CATALOGUE) if e["msgid"]]  # skip the header


def test_catalogue_is_complete_and_has_no_fuzzy_entry():
    header = next(e for e in _entries(CATALOGUE) if e["msgid"] == "")
    assert "fuzzy" not in header["flags"]
    assert "Language: en" in header["msgstr"]
    entries = _catalogue()
    assert len(entries) > 1000
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    untranslated = [
        e["msgid"] for e in entries
        if not (e.get("msgstr") or (e.get("msgstr[0]") and e.get("msgstr[1]")))
    ]
    assert fuzzy == []
    assert untranslated == []


def test_catalogue_keeps_every_placeholder():
    placeholder = re.compile(r"%\(\w+\)[sd]|%%")
    broken = []
    for e in _catalogue():
        if "msgid_plural" in e:
            pairs = [(e["msgid"], e["msgstr[0]"]), (e["msgid_plural"], e["msgstr[1]"])]
        else:
            pairs = [(e["msgid"], e["msgstr"])]
        for source, target in pairs:
            if set(placeholder.findall(source)) != set(placeholder.findall(target)):
                broken.append(source)
    assert broken == []


def test_compiled_catalogue_matches_the_sources():
    """The committed .mo says what the .po says (compared by content: a git checkout
    sets file times in any order)."""
    with CATALOGUE.with_suffix(".mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for e in _catalogue():
        if "msgid_plural" in e:
            found, expected = compiled.ngettext(e["msgid"], e["msgid_plural"], 1), e["msgstr[0]"]
        elif "msgctxt" in e:
            found, expected = compiled.pgettext(e["msgctxt"], e["msgid"]), e["msgstr"]
        else:
            found, expected = compiled.gettext(e["msgid"]), e["msgstr"]
        if found != expected:
            stale.append(e["msgid"])
    assert stale == []


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


def _get(client, url):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def contract(tenant):
    drac = OrganizationFactory(tenant=tenant, kind="drac", name="DRAC Hauts-de-France")
    SignatoryFactory(tenant=tenant, organization=drac)
    return tenant


@pytest.mark.django_db
def test_platform_home_in_english(english, contract):
    html = _get(english, "/")
    assert '<html lang="en"' in html
    assert "Regional contracts" in html
    assert "Les contrats régionaux" not in html
    assert "Period:" in html and "Signatories:" in html and "Période" not in html


@pytest.mark.django_db
def test_region_home_in_english(english, contract):
    html = _get(english, f"/{contract.slug}/")
    assert '<html lang="en"' in html
    assert "Calls for projects" in html
    assert "Appels à projets" not in html
    assert "Accueil" not in html


@pytest.mark.django_db
def test_login_page_in_english(english):
    html = _get(english, "/accounts/login/")
    assert "Log in" in html or "Sign In" in html
    assert "Se connecter" not in html
    assert "Mot de passe" not in html


@pytest.mark.django_db
def test_published_call_page_in_english(english, tenant):
    call = CallFactory(tenant=tenant, slug="coop")
    html = _get(english, f"/{tenant.slug}/appels/{call.slug}/")
    assert "Paris time" in html
    assert "heure de Paris" not in html


GETTEXT_NAMES = {"_", "gettext", "gettext_lazy", "pgettext", "ngettext", "npgettext"}
APPS = ("portal", "calls", "applications", "reviews", "mentoring", "awards", "national")


def test_no_translated_string_is_written_inside_an_f_string():
    """xgettext does not read the expressions of an f-string: `f"{_('désaccord')}"` works
    until the next `make messages`, which drops the string from the catalogue (English pages
    then show it in French). Seen in the dashboard's row tag."""
    found = []
    for app in APPS:
        for path in sorted((Path(settings.BASE_DIR) / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.JoinedStr):
                    for call in ast.walk(node):
                        if (isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
                                and call.func.id in GETTEXT_NAMES):
                            found.append(f"{path.relative_to(settings.BASE_DIR)}:{call.lineno}")
    assert found == []
