"""The applicant's journey with the keyboard alone, in Chromium: from the call page through
login, the structure profile, every step of the guided form, to submission and the
acknowledgement of receipt. Only `page.keyboard` drives the page (Tab, Shift+Tab, Enter,
Space, typing); the exceptions are the first `page.goto` and `set_input_files` on the file
input once it holds the keyboard focus (a native file dialog cannot be driven).

At every stop the test checks which element holds the focus and that the focus is visible
(the DSFR outline, or the outline drawn on the label of a DSFR checkbox).
"""

import io
import re
from decimal import Decimal

import pytest
from django.core import mail
from django_scopes import scope
from pypdf import PdfWriter

from applications.models import Dossier, Structure
from tests.factories import TenantFactory, UserFactory
from tests.factories.applications import make_siret
from tests.factories.calls import (CallFactory, CategoryFactory, CriterionFactory,
                                   DocumentRequirementFactory)
from tests.factories.portal import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

EMAIL = "clavier@example.org"

#: What holds the focus, in a form an assertion message can show.
DESCRIBE_FOCUS = """() => {
  const e = document.activeElement;
  return `${e.tagName.toLowerCase()}#${e.id} name=${e.name || ''} `
       + `"${(e.textContent || '').trim().slice(0, 50)}" href=${e.getAttribute('href') || ''}`;
}"""

#: Whether the focused element matches a CSS selector (and contains a text, if given).
FOCUS_MATCHES = """([selector, text]) => {
  const e = document.activeElement;
  return e.matches(selector) && (!text || (e.textContent || '').includes(text));
}"""

#: Whether the focus is visible: :focus-visible applies and an outline is drawn, on the element
#: itself or, for a DSFR checkbox or radio (the input is hidden), on its label's ::before.
FOCUS_VISIBLE = """() => {
  const e = document.activeElement;
  if (!e.matches(':focus-visible')) return false;
  const drawn = (style) => style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  if (drawn(getComputedStyle(e))) return true;
  if (e.type === 'checkbox' || e.type === 'radio') {
    const label = document.querySelector(`label[for="${e.id}"]`);
    return !!label && drawn(getComputedStyle(label, '::before'));
  }
  return false;
}"""


def _pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def focus(page) -> str:
    return page.evaluate(DESCRIBE_FOCUS)


def assert_focus_visible(page):
    assert page.evaluate(FOCUS_VISIBLE), f"the focus is not visible on {focus(page)}"


def tab_to(page, selector: str, *, text: str = "", within: int = 12,
           backwards: bool = False) -> int:
    """Press Tab (Shift+Tab) until `selector` has the focus, at most `within` times; the focus
    must then be visible. Returns the number of presses."""
    key = "Shift+Tab" if backwards else "Tab"
    for presses in range(1, within + 1):
        page.keyboard.press(key)
        if page.evaluate(FOCUS_MATCHES, [selector, text]):
            assert_focus_visible(page)
            return presses
    raise AssertionError(f"{selector} {text!r} not reached with {within} × {key}; "
                         f"the focus is on {focus(page)}")


def next_field(page, selector: str):
    """The very next Tab reaches `selector`: the tab order follows the form."""
    tab_to(page, selector, within=1)


def skip_to_content(page):
    """On a freshly loaded page the first Tab reaches the DSFR skip link "Contenu"; Enter
    follows it, so the next Tab lands in the main content. A page whose address already
    ends in "#content" (a redirect after a form keeps it) opens there: nothing to skip."""
    if page.url.endswith("#content"):
        return
    tab_to(page, "a.fr-link[href='#content']", within=1)
    page.keyboard.press("Enter")


def activate(page, url_pattern: str, key: str = "Enter"):
    """Press `key` on the focused link or button and wait for the page it leads to (a
    redirect keeps the "#content" the skip link added to the address)."""
    if url_pattern.endswith("$"):
        url_pattern = url_pattern[:-1] + "(#content)?$"
    with page.expect_navigation(url=re.compile(url_pattern)):
        page.keyboard.press(key)


def type_into(page, selector: str, text: str, *, expected: str | None = None):
    """Type into the focused field and check what it now holds."""
    assert page.evaluate(FOCUS_MATCHES, [selector, ""]), focus(page)
    page.keyboard.type(text)
    assert page.locator(selector).input_value() == (text if expected is None else expected)


#: The order in which Chromium lays out a date field's segments, found on the first date.
_date_order: list[str] = []


def type_date(page, selector: str, iso: str):
    """Type a date into the focused date field, segment by segment. Chromium lays the
    segments out in its own UI language (jj/mm/aaaa, or mm/dd/yyyy), not the page's: the
    first time, type day first; if the field read it month first, go back to its first
    segment (Shift+Tab moves between the segments of a date field) and type it month first;
    later dates are typed in the order found."""
    year, month, day = iso.split("-")
    assert page.evaluate(FOCUS_MATCHES, [selector, ""]), focus(page)
    if _date_order:
        page.keyboard.type(_date_order[0].format(d=day, m=month, y=year))
    else:
        page.keyboard.type(day + month + year)
        if page.locator(selector).input_value() == iso:
            _date_order.append("{d}{m}{y}")
        else:
            page.keyboard.press("Shift+Tab")
            page.keyboard.press("Shift+Tab")
            assert page.evaluate(FOCUS_MATCHES, [selector, ""]), focus(page)
            page.keyboard.type(month + day + year)
            _date_order.append("{m}{d}{y}")
    assert page.locator(selector).input_value() == iso


def choose(page, selector: str, typed: str, value: str):
    """Pick an option of the focused <select> by typing the start of its label (type-ahead)."""
    assert page.evaluate(FOCUS_MATCHES, [selector, ""]), focus(page)
    page.keyboard.type(typed)
    assert page.locator(selector).input_value() == value


def test_applicant_files_a_dossier_with_the_keyboard_alone(page, live_server):
    tenant = TenantFactory(slug="occitanie", name="Occitanie", region_code="76")
    with scope(tenant=tenant):
        call = CallFactory(tenant=tenant, slug="cooperation", reference_code="COOP",
                           title="Aide aux projets de coopération professionnelle",
                           min_self_financing_share=Decimal("30"))
        category = CategoryFactory(call=call, title="Expérimentation", min_partners=2,
                                   amount_min=Decimal("5000"), amount_max=Decimal("15000"))
        requirement = DocumentRequirementFactory(call=call, label="Budget prévisionnel")
        CriterionFactory(call=call, kind="declaration", field="", operator="", value=None,
                         label="Je certifie être à jour de mes obligations fiscales")
    UserFactory(email=EMAIL)

    # The call page (the only page.goto): skip to the content, reach "Déposer une candidature".
    page.goto(f"/occitanie/appels/{call.slug}/")
    skip_to_content(page)
    tab_to(page, "a.fr-btn", text="Déposer une candidature", within=30)
    activate(page, r".*/accounts/login/\?next=.*deposer")

    # Login, with the keyboard.
    skip_to_content(page)
    tab_to(page, "#id_login", within=4)
    type_into(page, "#id_login", EMAIL)
    tab_to(page, "#id_password", within=2)  # past "Mot de passe oublié ?"
    type_into(page, "#id_password", PASSWORD)
    tab_to(page, "button[type=submit]", text="Connexion", within=3)
    activate(page, r".*/occitanie/appels/cooperation/deposer/$")

    # No structure yet: the start page offers to create its profile.
    skip_to_content(page)
    tab_to(page, "a.fr-btn", text="Créer le profil de ma structure")
    activate(page, r".*/structures/nouvelle/")

    skip_to_content(page)
    tab_to(page, "#id_name")
    type_into(page, "#id_name", "Les Disques du Midi")
    next_field(page, "#id_siret")
    type_into(page, "#id_siret", make_siret(4242))
    next_field(page, "#id_legal_form")
    choose(page, "#id_legal_form", "Assoc", "association")
    next_field(page, "#id_address")
    type_into(page, "#id_address", "3 place de la Comédie")
    next_field(page, "#id_postal_code")
    type_into(page, "#id_postal_code", "34000")
    next_field(page, "#id_city")
    type_into(page, "#id_city", "Montpellier")
    next_field(page, "#id_creation_date")
    type_date(page, "#id_creation_date", "2018-05-02")
    # Shift+Tab goes back, Tab forward again: no field traps the focus.
    tab_to(page, "#id_city", within=4, backwards=True)
    tab_to(page, "#id_creation_date", within=4)
    tab_to(page, "#id_cnm_affiliation_number", within=4)
    type_into(page, "#id_cnm_affiliation_number", "CNM-004242")
    tab_to(page, "#id_main_activity", within=8)
    choose(page, "#id_main_activity", "Label", "recorded_music")
    # One aesthetic, ticked with Space.
    tab_to(page, "input[name=aesthetics]", within=3)
    page.keyboard.press("Space")
    assert page.locator("input[name=aesthetics]").first.is_checked()
    tab_to(page, "button[type=submit]", text="Enregistrer", within=25)
    activate(page, r".*/occitanie/appels/cooperation/deposer/$")
    assert Structure.objects.get().name == "Les Disques du Midi"

    # The start page, now with the structure: choose the category, start the dossier.
    skip_to_content(page)
    tab_to(page, "#id_category", within=6)
    choose(page, "#id_category", "Exp", str(category.pk))
    tab_to(page, "button[type=submit]", text="Commencer le dossier", within=3)
    activate(page, r".*/etapes/project/$")

    # Step 1: the project.
    assert "Étape 1 sur 6" in page.locator(".fr-stepper").inner_text()
    skip_to_content(page)
    tab_to(page, "#id_title", within=15)
    type_into(page, "#id_title", "Tournée coopérative des labels d'Occitanie")
    next_field(page, "#id_summary")
    type_into(page, "#id_summary", "Trois labels mutualisent une tournée régionale.")
    tab_to(page, "#id_start_date", within=2)
    type_date(page, "#id_start_date", "2024-06-01")
    # A date field's segments are Tab stops of their own: the focus may still be on one.
    tab_to(page, "#id_end_date", within=2)
    type_date(page, "#id_end_date", "2025-05-31")
    tab_to(page, "button[value=save]", text="Enregistrer le brouillon", within=2)
    next_field(page, "button[value=next]")
    activate(page, r".*/etapes/budget/$")

    # Step 2: the budget, totals computed live as the amounts are typed.
    skip_to_content(page)
    tab_to(page, "#id_expense-0-label", within=15)
    type_into(page, "#id_expense-0-label", "Cachets et transport")
    # The nature of the expense (the call says which natures are eligible), by type-ahead.
    next_field(page, "#id_expense-0-expense_kind")
    choose(page, "#id_expense-0-expense_kind", "R", "artistic")
    next_field(page, "#id_expense-0-amount")
    # Amounts typed as a French user types them (thousands separated by a space).
    type_into(page, "#id_expense-0-amount", "30 000")
    tab_to(page, "#id_requested_amount", within=30)
    type_into(page, "#id_requested_amount", "10 000")
    next_field(page, "#id_income-0-source")
    choose(page, "#id_income-0-source", "Auto", "self_financing")
    next_field(page, "#id_income-0-label")
    type_into(page, "#id_income-0-label", "Fonds propres")
    next_field(page, "#id_income-0-amount")
    type_into(page, "#id_income-0-amount", "12 000")
    next_field(page, "#id_income-1-source")
    # Arrow keys move through a closed <select>'s options, too.
    page.keyboard.press("ArrowDown")
    assert page.locator("#id_income-1-source").input_value() != ""
    choose(page, "#id_income-1-source", "Autres f", "public")
    next_field(page, "#id_income-1-label")
    type_into(page, "#id_income-1-label", "Département de l'Hérault")
    next_field(page, "#id_income-1-amount")
    type_into(page, "#id_income-1-amount", "8 000,00")
    live_total = page.locator("[data-budget-total='income']").inner_text()
    assert re.sub(r"\s", " ", live_total) == "30 000,00 €"
    assert "Le budget est équilibré." in page.locator("[data-budget-balance]").inner_text()
    tab_to(page, "button[value=next]", within=15)
    activate(page, r".*/etapes/partners/$")

    # Step 3: two partners.
    skip_to_content(page)
    tab_to(page, "#id_partner-0-name", within=15)
    type_into(page, "#id_partner-0-name", "La Rampe")
    tab_to(page, "#id_partner-0-role", within=4)
    type_into(page, "#id_partner-0-role", "Accueil en résidence")
    tab_to(page, "#id_partner-1-name", within=6)
    type_into(page, "#id_partner-1-name", "Le Krakatoa")
    tab_to(page, "#id_partner-1-role", within=4)
    type_into(page, "#id_partner-1-role", "Diffusion")
    tab_to(page, "button[value=next]", within=15)
    activate(page, r".*/etapes/documents/$")

    # Step 4: the document, through the file input that holds the focus.
    skip_to_content(page)
    file_input = f"#id_req{requirement.pk}-file"
    tab_to(page, file_input, within=15)
    page.locator(file_input).set_input_files(
        {"name": "budget.pdf", "mimeType": "application/pdf", "buffer": _pdf()})
    tab_to(page, "button[type=submit]", text="Téléverser", within=2)
    activate(page, r".*/etapes/documents/$")
    assert "budget.pdf" in page.locator("main").inner_text()
    skip_to_content(page)
    tab_to(page, "a.fr-btn", text="Continuer", within=20)
    activate(page, r".*/etapes/declarations/$")

    # Step 5: the declaration, ticked with Space.
    skip_to_content(page)
    tab_to(page, "input[name=declarations]", within=15)
    page.keyboard.press("Space")
    assert page.locator("input[name=declarations]").is_checked()
    tab_to(page, "button[value=next]", within=3)
    activate(page, r".*/etapes/summary/$")

    # Step 6: the pre-check passes; submit with the keyboard.
    assert page.locator(".fr-badge--error").count() == 0
    skip_to_content(page)
    tab_to(page, "button[data-submit-once]", text="Déposer le dossier", within=25)
    with scope(tenant=tenant):
        dossier = Dossier.objects.get()
    activate(page, rf".*/occitanie/dossiers/{dossier.pk}/$")

    # Submitted, in the database, on the page and by e-mail; the receipt opens with Enter.
    dossier.refresh_from_db()
    assert dossier.status == "submitted"
    assert re.fullmatch(r"OCC-\d{4}-COOP-0001", dossier.reference)
    assert dossier.reference in page.locator("main").inner_text()
    assert any(dossier.reference in m.subject and m.to == [EMAIL] for m in mail.outbox)
    skip_to_content(page)
    tab_to(page, "a", text="Accusé de réception (PDF)", within=25)
    with page.expect_download() as download_info:
        page.keyboard.press("Enter")
    with open(download_info.value.path(), "rb") as fh:
        assert fh.read(5) == b"%PDF-"
