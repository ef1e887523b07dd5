"""The dashboard's column filters on a wide screen: four to a line, each field inside its
column with the DSFR gutter between them (their columns and selects were sized content-box:
three came to a line and each select ran 56 px under the next one)."""

import pytest

from tests.e2e.browsing import shot, sign_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("no_staff_2fa")]


def test_the_column_filters_come_four_to_a_line_without_overlapping(live_server, browser,
                                                                     tenant, instructor):
    context = browser.new_context(base_url=live_server.url, locale="fr-FR",
                                  viewport={"width": 1280, "height": 900})
    sign_in(context, instructor, live_server.url)
    page = context.new_page()
    page.goto(f"/{tenant.slug}/instruction/")
    boxes = page.evaluate("""() => [...document.querySelectorAll(
        '#dashboard-filters fieldset .fr-grid-row > div')].map(col => {
          const field = col.querySelector('select, input');
          const c = col.getBoundingClientRect(), f = field.getBoundingClientRect();
          return {id: field.id, top: Math.round(c.top), colLeft: c.left, colRight: c.right,
                  left: f.left, right: f.right};
        })""")
    shot(page, "dashboard-filters-1280")
    first_line = [b for b in boxes if b["top"] == boxes[0]["top"]]
    assert [b["id"] for b in first_line] == ["id_sort", "per_page", "id_call", "id_track"]
    for box in boxes:
        assert box["colLeft"] - 0.5 <= box["left"] and box["right"] <= box["colRight"] + 0.5, box
    for before, after in zip(first_line, first_line[1:]):
        assert after["left"] - before["right"] >= 16, (before, after)  # the gutter (1.5rem)


def test_the_saved_view_name_stays_clear_of_its_button(live_server, browser, tenant, instructor):
    """The name field of « Enregistrer cette vue » ran 8 px under its button (seen on the
    production-mode screenshot): the inline forms size their fields border-box."""
    context = browser.new_context(base_url=live_server.url, locale="fr-FR",
                                  viewport={"width": 1280, "height": 900})
    sign_in(context, instructor, live_server.url)
    page = context.new_page()
    page.goto(f"/{tenant.slug}/instruction/")
    fold = page.locator("details", has_text="Exporter la liste, enregistrer la vue")
    if not fold.evaluate("d => d.open"):
        fold.locator("summary").click()
    field = page.locator("#saved-view-form input[name=name]").bounding_box()
    button = page.locator("#saved-view-form button[type=submit]").bounding_box()
    shot(page, "dashboard-saved-view-form-1280")
    assert field["x"] + field["width"] <= button["x"], (field, button)
