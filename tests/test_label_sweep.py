"""Every HTML page of every role (the pages axe-core checks, tests/e2e/test_axe_all_pages.py)
is free of Django's « --------- » empty choice and of doubled optional markers
(« Motif (facultatif) (Optionnel) »)."""

import re

import pytest
from django.test import Client

from tests.e2e.test_axe_all_pages import ROLES, pages_per_role
from tests.sweep_rules import build_world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_staff_2fa")]

DOUBLED = re.compile(r"\((?:facultati(?:f|ve)s?|optionnel(?:le)?)\)\s*\(optionnel\)", re.I)


def test_no_page_shows_django_dashes_or_a_doubled_optional_marker():
    world = build_world()
    clients = {"anonymous": Client()}
    for role in ROLES:
        clients[role] = Client()
        clients[role].force_login(getattr(world, role))
    plan = pages_per_role(world, clients)
    problems = []
    checked = 0
    for role, urls in plan.items():
        for url in urls:
            body = clients[role].get(url).content.decode()
            checked += 1
            if "---------" in body:
                problems.append(f"{url} as {role}: « --------- »")
            for match in DOUBLED.finditer(body):
                problems.append(f"{url} as {role}: {match.group(0)}")
    assert checked > 60
    assert problems == []
