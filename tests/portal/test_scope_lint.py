"""`scopes_disabled()` in product code only where `portal.tenancy.UNSCOPED_ENTRY_POINTS` says
why (issue 13, tenancy layer): a new use, anywhere else, fails here."""

from portal.tenancy import UNSCOPED_ENTRY_POINTS
from tests.scope_lint import escapes_in_source, problems


def test_scopes_are_disabled_only_in_the_listed_entry_points():
    assert problems(UNSCOPED_ENTRY_POINTS) == []


def test_every_entry_point_says_why():
    assert all(reason.strip() for reason in UNSCOPED_ENTRY_POINTS.values())


def test_the_list_stays_short():
    # Each entry is a named reader or an entry point; grow it only with a reason.
    assert len(UNSCOPED_ENTRY_POINTS) <= 25


SNIPPET = '''
from django_scopes import scope, scopes_disabled

@scopes_disabled()
def decorated():
    pass

def in_a_block():
    with scopes_disabled():
        pass

def through_the_manager():
    return Dossier.objects.with_scopes_disabled().all()

def a_none_dimension():
    with scope(tenant=None):
        pass

class Task:
    def start(self):
        with django_scopes.scopes_disabled():
            pass

def in_its_tenant(tenant):
    with scope(tenant=tenant):
        pass
'''


def test_the_lint_catches_every_form_of_escape():
    found = {(function, what) for function, _line, what in escapes_in_source(SNIPPET)}
    assert found == {("decorated", "scopes_disabled"), ("in_a_block", "scopes_disabled"),
                     ("through_the_manager", "with_scopes_disabled"),
                     ("a_none_dimension", "scope(…=None)"),
                     ("Task.start", "scopes_disabled")}


def test_an_unlisted_use_and_a_stale_entry_are_reported():
    listed = dict(UNSCOPED_ENTRY_POINTS)
    listed.pop(("portal/reminders.py", "run_reminders"))
    listed[("portal/tenancy.py", "tenant_for_slug")] = "gone: Tenant is not scoped"
    found = problems(listed)
    assert any("portal/reminders.py" in p and "run_reminders()" in p for p in found)
    assert any("portal/tenancy.py::tenant_for_slug" in p for p in found)
