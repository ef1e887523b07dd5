"""The dossier's life: one transition table that every change of `Dossier.status` follows.

A row (`Transition`) says, for a set of source states and one target state:

* **who may** — the permission checked on ``(user, dossier)`` (``None``: only the platform
  itself, i.e. a service called with ``user=None`` from a task or a command);
* **what it writes** — the dossier fields stamped with the moment of the change (the
  business service passes the other fields it computed, e.g. the reference at filing);
* **what it enqueues** — the tasks queued through the outbox after commit, with
  ``dossier_id=`` (and the ids the service adds);
* the audit action it logs (one event per dossier, bulk changes included) and whether the
  applicant's history shows it.

`applications.services.dossier_transition` is the only code that assigns a status; it looks
the row up here (pretalx's ``SubmissionStates.valid_next_states`` with the extras it keeps in
separate places, in one row).

The table is a registry, so that the layers stay one-way: this module holds the applicant's
side (filing, completion, withdrawal); ``reviews.workflow`` registers instruction and
committee; an app above them (post-award) registers its own states and rows the same way,
without this app importing it::

    class AwardStatus(models.TextChoices):
        ADVANCE_DUE = "advance_due", _("Avance à verser")

    register_states(AwardStatus)
    register_transitions(Transition(sources={DossierStatus.GRANTED},
                                    target=AwardStatus.ADVANCE_DUE, perm=None,
                                    action="awards.dossier.advance_due"))
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import models
from django.utils.functional import Promise

from .enums import DossierStatus


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str
    #: dotted audit action, e.g. ``applications.dossier.submitted``
    action: str
    #: permission checked on (user, dossier); None: the platform only (user=None)
    perm: str | None = None
    #: Dossier fields set to the moment of the change
    stamps: tuple[str, ...] = ()
    #: tasks queued after commit (outbox) with ``dossier_id=`` and the service's ids
    enqueue: tuple[str, ...] = ()
    #: shown in the applicant's history of the dossier
    applicant_visible: bool = True
    #: a short French name of the transition, for the diagram and the admin
    label: str | Promise = ""

    def __post_init__(self):
        object.__setattr__(self, "sources", frozenset(str(s) for s in self.sources))
        object.__setattr__(self, "target", str(self.target))
        if self.action.count(".") < 2:
            raise ValueError(f"audit action must be dotted 'app.entity.verb': {self.action!r}")


class TransitionError(Exception):
    """No row of the table goes from the dossier's state to the one asked for (a bug in the
    caller: services check the business conditions first and say why to the user)."""


@dataclass
class _Registry:
    states: dict[str, str | Promise] = field(default_factory=dict)
    transitions: dict[tuple[str, str], Transition] = field(default_factory=dict)


_REGISTRY = _Registry()


def register_states(choices: type[models.TextChoices]) -> None:
    """Add the states of an enum (its values and French labels) to the dossier's life."""
    for member in choices:
        existing = _REGISTRY.states.get(member.value)
        if existing is not None and str(existing) != str(member.label):
            raise ValueError(f"dossier state {member.value!r} registered twice")
        _REGISTRY.states[member.value] = member.label


def register_transitions(*rows: Transition) -> None:
    """Add rows to the table; a (source, target) pair belongs to one row only."""
    for row in rows:
        for state in (*row.sources, row.target):
            if state not in _REGISTRY.states:
                raise ValueError(f"unknown dossier state {state!r}: register_states() first")
        order = list(_REGISTRY.states)
        for source in sorted(row.sources, key=order.index):
            key = (source, row.target)
            if key in _REGISTRY.transitions and _REGISTRY.transitions[key] != row:
                raise ValueError(f"transition {source} → {row.target} registered twice")
            _REGISTRY.transitions[key] = row


def transition_for(source: str, target: str) -> Transition:
    try:
        return _REGISTRY.transitions[(str(source), str(target))]
    except KeyError:
        raise TransitionError(f"no dossier transition {source} → {target}") from None


def can_move(source: str, target: str) -> bool:
    return (str(source), str(target)) in _REGISTRY.transitions


def next_states(source: str) -> list[str]:
    """The states reachable from `source` in one transition (pretalx's valid_next_states)."""
    return [t for (s, t) in _REGISTRY.transitions if s == str(source)]


def sources_of(target: str) -> frozenset[str]:
    """The states from which a dossier may move to `target`."""
    return frozenset(s for (s, t) in _REGISTRY.transitions if t == str(target))


def reachable_from(source: str) -> frozenset[str]:
    """Every state a dossier in `source` may reach, in any number of transitions (the states
    registered by higher apps included), `source` itself left out unless a cycle leads back."""
    seen, todo = set(), [str(source)]
    while todo:
        for target in next_states(todo.pop()):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return frozenset(seen)


def transitions() -> list[tuple[str, str, Transition]]:
    return [(s, t, row) for (s, t), row in _REGISTRY.transitions.items()]


def states() -> list[str]:
    return list(_REGISTRY.states)


def status_choices() -> list[tuple[str, str | Promise]]:
    """`Dossier.status` choices (a callable, so that registered states count)."""
    return list(_REGISTRY.states.items())


def status_label(value: str) -> str:
    label = _REGISTRY.states.get(str(value))
    return str(label) if label is not None else str(value)


def applicant_visible_actions() -> frozenset[str]:
    return frozenset(row.action for row in _REGISTRY.transitions.values()
                     if row.applicant_visible)


# --- What the applicant is shown -------------------------------------------------------------

_APPLICANT_VIEWS: list[tuple] = []


def register_applicant_view(*, status=None, history=None) -> None:
    """An app above says what the applicant may know yet: ``status(dossier) -> str | None``
    (the state to show instead of the real one, e.g. « en comité » until a decision is
    published) and ``history(dossier, events) -> events`` (the history events to keep)."""
    entry = (status, history)
    if entry not in _APPLICANT_VIEWS:
        _APPLICANT_VIEWS.append(entry)


def applicant_status(dossier) -> str:
    for status, _history in _APPLICANT_VIEWS:
        shown = status(dossier) if status else None
        if shown is not None:
            return shown
    return dossier.status


def applicant_history(dossier, events: list) -> list:
    for _status, history in _APPLICANT_VIEWS:
        if history:
            events = history(dossier, events)
    return events


def mermaid(rows: Iterable[tuple[str, str, Transition]] | None = None) -> str:
    """The state diagram of the table, as Mermaid text (``stateDiagram-v2``)."""
    lines = ["stateDiagram-v2", f"    [*] --> {DossierStatus.DRAFT.value}"]
    for source, target, row in sorted(rows if rows is not None else transitions(),
                                      key=lambda r: (states().index(r[0]),
                                                     states().index(r[1]))):
        who = row.perm or "platform"
        lines.append(f"    {source} --> {target}: {row.action} [{who}]")
    return "\n".join(lines) + "\n"


# --- The applicant's side ---------------------------------------------------------------------

register_states(DossierStatus)

#: Every state before the decision: the applicant may withdraw from these.
#: A filed dossier may be withdrawn until it goes before the committee. Not while it is « en
#: comité »: a member's recorded decision moves it to granted / rejected at once, while the
#: applicant still reads « en comité » until the session closes; withdrawal allowed in one
#: and refused in the other told the applicant the decision before its publication (issue 13
#: finding 9). What the applicant may do depends only on the state they are shown.
BEFORE_COMMITTEE = (DossierStatus.SUBMITTED, DossierStatus.COMPLETION_REQUESTED,
                    DossierStatus.ELIGIBLE, DossierStatus.IN_REVIEW)

register_transitions(
    Transition(sources={DossierStatus.DRAFT}, target=DossierStatus.SUBMITTED,
               perm="applications.submit_dossier", action="applications.dossier.submitted",
               stamps=("submitted_at", "first_submitted_at"),
               enqueue=("applications.dossier_submitted_email",), label="déposer"),
    Transition(sources={DossierStatus.SUBMITTED}, target=DossierStatus.COMPLETION_REQUESTED,
               perm="applications.request_completion",
               action="applications.dossier.completion_requested",
               enqueue=("applications.completion_request_email",),
               label="demander des compléments"),
    Transition(sources={DossierStatus.COMPLETION_REQUESTED}, target=DossierStatus.SUBMITTED,
               perm="applications.submit_dossier", action="applications.dossier.resubmitted",
               stamps=("submitted_at",), enqueue=("applications.dossier_resubmitted_email",),
               label="déposer à nouveau"),
    # A draft withdrawn tells nobody; a filed dossier withdrawn tells both sides.
    Transition(sources={DossierStatus.DRAFT}, target=DossierStatus.WITHDRAWN,
               perm="applications.withdraw_dossier", action="applications.dossier.withdrawn",
               stamps=("withdrawn_at",), label="retirer"),
    Transition(sources=set(BEFORE_COMMITTEE), target=DossierStatus.WITHDRAWN,
               perm="applications.withdraw_dossier", action="applications.dossier.withdrawn",
               stamps=("withdrawn_at",), enqueue=("applications.dossier_withdrawn_email",),
               label="retirer"),
)
