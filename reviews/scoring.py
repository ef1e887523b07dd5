"""Pure scoring and aggregation (no database): the weighted total of one review, the
aggregate of a dossier's submitted reviews, the disagreement flag and the ranking.

* A review scores each appraisal criterion on its own scale (0 … ``scale_max``).
* Its **weighted total** is expressed out of 20 (the French officers' habit), each criterion
  normalised to its scale: ``20 × Σ(weight × score / scale_max) / Σ weight``, rounded half-up
  to 2 decimals. Criteria on different scales therefore weigh only by their weight.
* A dossier's aggregate over the submitted totals: mean, median, spread (max − min);
  officers *disagree* when the spread is strictly above the threshold (per tenant or call).
* Ranking per (call, category): by mean descending, standard competition ranking (1, 2, 2, 4);
  dossiers without any submitted review are not ranked.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from statistics import median

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

TOTAL_SCALE = Decimal("20")
CENTS = Decimal("0.01")
#: Default disagreement threshold: a spread of more than 4 points out of 20.
DEFAULT_DISAGREEMENT_THRESHOLD = Decimal("4.00")


def q2(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENTS, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Criterion:
    id: int
    label: str
    weight: Decimal
    scale_max: int

    @classmethod
    def from_snapshot(cls, data: dict) -> Criterion:
        return cls(id=int(data["id"]), label=str(data.get("label", "")),
                   weight=Decimal(str(data.get("weight", "1"))),
                   scale_max=int(data.get("scale_max", 5)))

    @classmethod
    def from_model(cls, obj) -> Criterion:
        return cls(id=obj.pk, label=obj.label, weight=Decimal(obj.weight),
                   scale_max=int(obj.scale_max))


def parse_scores(criteria: list[Criterion], raw: dict, *, complete: bool) -> dict[str, int]:
    """Clean ``{criterion_id: value}`` (strings from a form or JSON) into ``{"id": int}``.
    Refuses unknown criteria, non-integers and values outside ``0 … scale_max``; with
    ``complete=True`` (submission) every criterion must be scored. Blank values are dropped
    (a draft may be partial). Raises ValidationError keyed ``score_<id>``."""
    known = {c.id: c for c in criteria}
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, int] = {}
    for key, value in (raw or {}).items():
        try:
            cid = int(key)
        except (TypeError, ValueError):
            errors.setdefault("__all__", []).append(_("Critère inconnu : %(key)s.") % {"key": key})
            continue
        criterion = known.get(cid)
        if criterion is None:
            errors.setdefault("__all__", []).append(
                _("Ce critère n'appartient pas à la grille de ce dossier : %(key)s.") % {"key": key})
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        try:
            number = Decimal(str(value).strip().replace(",", "."))
        except Exception:  # noqa: BLE001 - InvalidOperation and friends
            number = None
        if number is None or not number.is_finite() or number != number.to_integral_value():
            errors[f"score_{cid}"] = [_("La note doit être un nombre entier.")]
            continue
        if number < 0 or number > criterion.scale_max:
            errors[f"score_{cid}"] = [_("La note de « %(label)s » doit être comprise entre 0 et "
                                        "%(max)s.") % {"label": criterion.label,
                                                       "max": criterion.scale_max}]
            continue
        cleaned[str(cid)] = int(number)
    if complete:
        for criterion in criteria:
            if str(criterion.id) not in cleaned and f"score_{criterion.id}" not in errors:
                errors[f"score_{criterion.id}"] = [
                    _("Notez « %(label)s » avant de soumettre.") % {"label": criterion.label}]
    if errors:
        raise ValidationError(errors)
    return cleaned


def weighted_total(criteria: list[Criterion], scores: dict) -> Decimal | None:
    """The total out of 20 of the scored criteria (None when nothing is scored). A draft's
    partial total counts only the criteria scored so far."""
    numerator = Decimal(0)
    weights = Decimal(0)
    for criterion in criteria:
        value = scores.get(str(criterion.id), scores.get(criterion.id))
        if value is None:
            continue
        numerator += criterion.weight * Decimal(value) / Decimal(criterion.scale_max)
        weights += criterion.weight
    if not weights:
        return None
    return q2(TOTAL_SCALE * numerator / weights)


@dataclass(frozen=True)
class Aggregate:
    count: int
    mean: Decimal | None
    median: Decimal | None
    minimum: Decimal | None
    maximum: Decimal | None

    @property
    def spread(self) -> Decimal | None:
        if self.minimum is None or self.maximum is None:
            return None
        return q2(self.maximum - self.minimum)

    def disagree(self, threshold: Decimal) -> bool:
        return self.count >= 2 and self.spread is not None and self.spread > threshold


def aggregate(totals: list[Decimal]) -> Aggregate:
    values = [Decimal(t) for t in totals if t is not None]
    if not values:
        return Aggregate(0, None, None, None, None)
    return Aggregate(count=len(values), mean=q2(sum(values) / len(values)),
                     median=q2(median(values)), minimum=min(values), maximum=max(values))


def is_disagreement(spread: Decimal | None, threshold: Decimal, count: int = 2) -> bool:
    return count >= 2 and spread is not None and Decimal(spread) > Decimal(threshold)


def rank(items: list[tuple]) -> dict:
    """``items``: ``(key, group, score)``; returns ``{key: rank}`` within each group, best
    score first, ties sharing a rank (1, 2, 2, 4). Items without a score are left out."""
    groups: dict = defaultdict(list)
    for key, group, score in items:
        if score is not None:
            groups[group].append((Decimal(score), key))
    ranks = {}
    for members in groups.values():
        members.sort(key=lambda pair: -pair[0])
        previous = None
        for position, (score, key) in enumerate(members, start=1):
            if previous is None or score != previous[0]:
                previous = (score, position)
            ranks[key] = previous[1]
    return ranks
