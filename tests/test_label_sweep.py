"""Every HTML page of every role (the pages axe-core checks, tests/e2e/test_axe_all_pages.py)
is free of Django's « --------- » empty choice and of doubled optional markers
(« Motif (facultatif) (Optionnel) »)."""

import re

import pytest

pytestmark = [pytest.mark.xdist_group("sweep"), pytest.mark.usefixtures("no_staff_2fa")]

DOUBLED = re.compile(r"\((?:facultati(?:f|ve)s?|optionnel(?:le)?)\)\s*\(optionnel\)", re.I)


def test_no_page_shows_django_dashes_or_a_doubled_optional_marker(sweep_site):
    # Each page as it answered its role when the sweep's plan was made (tests/sweep_pages.py).
    problems = []
    checked = 0
    for role, url in sweep_site.pages():
        body = sweep_site.bodies[(role, url)]
        checked += 1
        if "---------" in body:
            problems.append(f"{url} as {role}: « --------- »")
        for match in DOUBLED.finditer(body):
            problems.append(f"{url} as {role}: {match.group(0)}")
    assert checked > 60
    assert problems == []
