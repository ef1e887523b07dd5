"""The header's « République française » block is never clipped nor covered, whatever the
length of the signed-in person's name and e-mail (the DSFR forbids altering it), at desktop
and mobile widths."""

import pytest

from tests.e2e.browsing import shot, sign_in
from tests.factories import MembershipFactory, UserFactory
from portal.enums import Role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("no_staff_2fa")]

LONG_FIRST = "Marie-Bénédicte-Anne-Charlotte"
LONG_LAST = "de La Rochefoucauld-Montmorency-Villeneuve-d'Ascq"
LONG_EMAIL = ("marie-benedicte-anne-charlotte.de-la-rochefoucauld-montmorency"
              "@drac-hauts-de-france.culture.gouv.fr")

#: For the logo block and each of its ancestors inside the header: is the logo's text wholly
#: inside the box (no overflow clipped), and is the text's centre the topmost element there?
LOGO_CHECK = """() => {
  const logo = document.querySelector('.fr-header__logo .fr-logo');
  const range = document.createRange();
  range.selectNodeContents(logo);
  const text = range.getBoundingClientRect();
  const problems = [];
  if (logo.scrollWidth > logo.clientWidth + 1) problems.push('logo overflows its box');
  for (let el = logo; el && el.tagName !== 'HEADER'; el = el.parentElement) {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (style.overflow !== 'visible' || style.overflowX !== 'visible') {
      if (text.left < box.left - 1 || text.right > box.right + 1)
        problems.push('clipped by ' + el.className);
    }
  }
  if (text.left < 0 || text.right > window.innerWidth) problems.push('outside the viewport');
  for (const x of [text.left + 2, (text.left + text.right) / 2, text.right - 2]) {
    const hit = document.elementFromPoint(x, text.top + 4);
    // The brand is one enlarged link (fr-enlarge-link): a hit on it is the brand itself.
    if (hit && !hit.closest('.fr-header__brand')) problems.push('covered by ' + hit.className);
  }
  return {problems: problems, text: logo.innerText, width: text.width};
}"""


@pytest.mark.parametrize("width,height", [(1280, 800), (1024, 768), (375, 812)])
def test_the_republique_francaise_block_is_whole_with_a_very_long_name(
        browser, live_server, tenant, width, height):
    user = UserFactory(email=LONG_EMAIL, first_name=LONG_FIRST, last_name=LONG_LAST)
    MembershipFactory(tenant=tenant, user=user, role=Role.INSTRUCTOR)
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris",
                                  base_url=live_server.url,
                                  viewport={"width": width, "height": height})
    try:
        sign_in(context, user, live_server.url)
        page = context.new_page()
        for path in ("/mes-espaces/", f"/{tenant.slug}/"):
            page.goto(path)
            result = page.evaluate(LOGO_CHECK)
            shot(page, f"header-{width}-{path.strip('/').replace('/', '-') or 'home'}")
            assert result["problems"] == [], (path, width, result)
            assert result["text"].replace("\n", " ").upper() == "RÉPUBLIQUE FRANÇAISE"
            # The account link still names the person (in full for assistive technologies).
            account = page.locator(".fr-header__tools-links a[href$='/accounts/email/']")
            if width >= 992:
                assert LONG_LAST in account.inner_text() or LONG_LAST in (
                    account.get_attribute("title") or "")
    finally:
        context.close()
