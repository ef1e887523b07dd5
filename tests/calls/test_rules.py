"""The rules of calls in one place: the actions a call's status allows (the management page
and the services ask the same permissions), and which items apply to a dossier's track and
category."""

from types import SimpleNamespace

import pytest

from calls.applicability import category_offered, item_applies, items_applying
from calls.enums import CALL_ACTIONS, CallStatus
from portal.enums import Role
from tests.factories.calls import CallFactory

pytestmark = pytest.mark.django_db

ALLOWED = {
    CallStatus.DRAFT: {"publish", "delete", "change"},
    CallStatus.PUBLISHED: {"close", "archive", "change"},
    CallStatus.CLOSED: {"publish", "archive", "change"},
    CallStatus.ARCHIVED: set(),
}


@pytest.mark.parametrize("status", list(CallStatus))
def test_each_status_allows_its_actions_to_the_tenants_admin_only(in_scope, make_member,
                                                                  status):
    call = CallFactory(tenant=in_scope, status=status)
    admin = make_member(in_scope, Role.ADMIN)
    instructor = make_member(in_scope, Role.INSTRUCTOR)
    assert {a for a in CALL_ACTIONS if admin.has_perm(f"calls.{a}_call", call)} == ALLOWED[status]
    assert not any(instructor.has_perm(f"calls.{a}_call", call) for a in CALL_ACTIONS)


def test_another_tenants_admin_may_do_nothing_to_the_call(in_scope, other_tenant, make_member):
    call = CallFactory(tenant=in_scope, status=CallStatus.DRAFT)
    stranger = make_member(other_tenant, Role.ADMIN)
    assert not any(stranger.has_perm(f"calls.{a}_call", call) for a in CALL_ACTIONS)


def _item(track_id=None, category_id=None):
    return SimpleNamespace(track_id=track_id, category_id=category_id)


@pytest.mark.parametrize("item, track_id, category_id, expected", [
    (_item(), None, None, True),
    (_item(), 1, 2, True),
    (_item(track_id=1), 1, None, True),
    (_item(track_id=1), 3, None, False),
    (_item(track_id=1), None, None, False),
    (_item(category_id=2), 1, 2, True),
    (_item(category_id=2), 1, 4, False),
    (_item(track_id=1, category_id=2), 1, 2, True),
    (_item(track_id=1, category_id=2), 3, 2, False),
    ({"track_id": 1, "category_id": None}, 1, 7, True),  # a rules snapshot's row
    ({"track_id": None, "category_id": 7}, 1, 8, False),
])
def test_an_item_applies_to_its_track_and_category_only(item, track_id, category_id, expected):
    assert item_applies(item, track_id=track_id, category_id=category_id) is expected


def test_items_applying_keeps_the_order():
    items = [_item(), _item(track_id=2), _item(category_id=5), _item(track_id=1)]
    assert items_applying(items, track_id=1, category_id=5) == [items[0], items[2], items[3]]


def test_a_category_of_a_track_is_offered_with_that_track_only():
    assert category_offered(_item(), track_id=None)
    assert category_offered(_item(), track_id=3)
    assert category_offered(_item(track_id=3), track_id=3)
    assert not category_offered(_item(track_id=3), track_id=4)
    assert not category_offered(_item(track_id=3), track_id=None)
