"""Which items of a call apply to a dossier: the one rule, used by the rules snapshot, the
guided form, the declarations, the documents and the appraisal grid.

An item (eligibility criterion, document requirement, appraisal criterion) may be scoped to a
track and/or a category: it applies to a dossier of that track and/or category; an unscoped
item applies to every dossier. A category may belong to a track: it is offered only with that
track; a call-level category, with any track. Items are model instances or the dicts of a
rules snapshot (``track_id``/``category_id`` keys).
"""

from collections.abc import Iterable


def _get(item, name):
    return item.get(name) if isinstance(item, dict) else getattr(item, name)


def item_applies(item, *, track_id, category_id) -> bool:
    own_track, own_category = _get(item, "track_id"), _get(item, "category_id")
    return ((own_track is None or own_track == track_id)
            and (own_category is None or own_category == category_id))


def items_applying(items: Iterable, *, track_id, category_id) -> list:
    return [i for i in items if item_applies(i, track_id=track_id, category_id=category_id)]


def category_offered(category, *, track_id) -> bool:
    return category.track_id is None or category.track_id == track_id
