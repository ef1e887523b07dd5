"""One way to confirm an irreversible action, without script and with the keyboard.

The page that offers the action links to (or posts to) the action's URL; the action's view
answers a GET, or a POST without `confirm`, with a confirmation page that says what will
happen and carries the posted values; only a POST with `confirm` does it. Nothing depends on
inline script (strict CSP): the page is a plain form whose buttons are reachable with Tab.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.shortcuts import render

#: The name of the field the confirmation page posts; any non-empty value confirms.
CONFIRM_FIELD = "confirm"

#: Posted values never carried over to the confirmation page.
_NOT_CARRIED = {CONFIRM_FIELD, "csrfmiddlewaretoken"}


def is_confirmed(request) -> bool:
    """True for a POST that comes from the confirmation page."""
    return request.method == "POST" and bool(request.POST.get(CONFIRM_FIELD))


def carried_values(request, exclude: Iterable[str] = ()) -> list[tuple[str, str]]:
    """The values of the POST that led to the confirmation page, to post them again."""
    if request.method != "POST":
        return []
    skipped = _NOT_CARRIED | set(exclude)
    return [(name, value) for name, values in request.POST.lists() if name not in skipped
            for value in values]


def confirmation_page(request, *, title: str, lead: str, button: str, cancel_url: str,
                      consequences: Iterable[str] = (), hidden: Iterable[tuple[str, str]] | None = None,
                      form=None, breadcrumb: Iterable[tuple[str, str]] = (),
                      summary: Mapping[str, str] | None = None, danger: bool = True,
                      status: int = 200):
    """The confirmation step of an irreversible action: `title` (h1), `lead` (what the action
    does, in a warning), `consequences` (a list of what follows), `summary` (label → value
    shown before confirming), `form` (fields to fill on this step, e.g. a reason), `hidden`
    (values to post again, by default those of the POST that led here), `button` (the
    confirming button's label) and `cancel_url` (back, nothing done)."""
    return render(request, "portal/confirm.html", {
        "confirm_title": title, "confirm_lead": lead, "confirm_button": button,
        "confirm_cancel_url": cancel_url, "confirm_consequences": list(consequences),
        "confirm_hidden": (carried_values(request, exclude=form.fields if form else ())
                           if hidden is None else list(hidden)),
        "confirm_form": form, "confirm_breadcrumb": list(breadcrumb),
        "confirm_summary": list((summary or {}).items()), "confirm_danger": danger,
        "confirm_action": request.path}, status=status)
