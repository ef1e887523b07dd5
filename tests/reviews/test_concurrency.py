"""Two people changing the same decision or review at once, on real PostgreSQL: no lost
update, the second one is told (row locks + version column)."""

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django_scopes import scope

from reviews import services
from reviews.models import AgendaItem, Assignment, Decision, Review
from tests.factories.reviews import CommitteeMemberFactory, FiledDossierFactory, SessionFactory

pytestmark = [pytest.mark.server, pytest.mark.django_db(transaction=True)]


def _race(tenant, *calls):
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(i, fn):
        try:
            with scope(tenant=tenant):
                barrier.wait(timeout=10)
                outcomes[i] = fn()
        except Exception as exc:  # noqa: BLE001 - recorded for the assertions
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return outcomes


def test_two_members_deciding_the_same_dossier_at_once(tenant, call, category, committee):
    with scope(tenant=tenant):
        session = SessionFactory(tenant=tenant)
        session.calls.set([call])
        for f, u in committee.items():
            CommitteeMemberFactory(session=session, user=u, funder=f)
        dossier = FiledDossierFactory(call=call, category=category, status="in_committee")
        AgendaItem.objects.create(session=session, dossier=dossier, position=1)

    def grant():
        return services.decision_record(user=committee["cnm"], session=session, dossier=dossier,
                                        outcome="granted", shares={"cnm": "8000"}, version=0)

    def reject():
        return services.decision_record(user=committee["drac"], session=session, dossier=dossier,
                                        outcome="rejected", motivation="Non retenu.", version=0)

    outcomes = _race(tenant, grant, reject)
    winners = [o for o in outcomes if isinstance(o, Decision)]
    losers = [o for o in outcomes if isinstance(o, services.StaleError)]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    with scope(tenant=tenant):
        stored = Decision.objects.get(dossier=dossier)
        assert stored.version == 1 and stored.outcome == winners[0].outcome
        dossier.refresh_from_db()
        assert dossier.status == stored.outcome


def test_same_review_saved_from_two_tabs_at_once(tenant, call, category, officers):
    with scope(tenant=tenant):
        dossier = FiledDossierFactory(call=call, category=category, status="in_review")
        Assignment.objects.create(dossier=dossier, officer=officers["cnm"], funder="cnm")
        q, t = [c["id"] for c in dossier.rules_snapshot["appraisal_criteria"]]

    def save(score):
        return lambda: services.review_save(user=officers["cnm"], dossier=dossier,
                                            scores={str(q): score}, version=0)

    outcomes = _race(tenant, save("2"), save("5"))
    winners = [o for o in outcomes if isinstance(o, Review)]
    assert len(winners) == 1 and sum(isinstance(o, services.StaleError) for o in outcomes) == 1
    with scope(tenant=tenant):
        stored = Review.objects.get(dossier=dossier)
        assert stored.version == 1 and stored.scores == winners[0].scores


def test_concurrent_grants_cannot_overrun_the_envelope_together(tenant, call, category, committee):
    """Each grant fits alone, both together would not: the session row lock serialises them
    and the second sees the first's amount."""
    with scope(tenant=tenant):
        call.envelope = Decimal("15000.00")
        call.save()
        session = SessionFactory(tenant=tenant)
        session.calls.set([call])
        for f, u in committee.items():
            CommitteeMemberFactory(session=session, user=u, funder=f)
        dossiers = [FiledDossierFactory(call=call, category=category, status="in_committee")
                    for _ in range(2)]
        for i, d in enumerate(dossiers):
            AgendaItem.objects.create(session=session, dossier=d, position=i + 1)

    def grant(d, user):
        return lambda: services.decision_record(user=user, session=session, dossier=d,
                                                outcome="granted", shares={"cnm": "10000"})

    outcomes = _race(tenant, grant(dossiers[0], committee["cnm"]),
                     grant(dossiers[1], committee["drac"]))
    assert sum(isinstance(o, Decision) for o in outcomes) == 1, outcomes
    refused = [o for o in outcomes if isinstance(o, services.ReviewError)]
    assert len(refused) == 1 and "envelope_override" in refused[0].message_dict
