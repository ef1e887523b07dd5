"""What every page of the mentoring scheme shares: the permissions its pilot pages declare,
the state filter of its lists."""

MANAGE = "mentoring.manage"
CONFIGURE = "mentoring.configure"


def state_filter(request, states) -> str | None:
    """The list's `?etat=` filter when it names one of `states` (an enum's values), else
    None (no filter: a hand-made value is ignored, never an error)."""
    state = request.GET.get("etat") or None
    return state if state in states else None
