"""Sections that higher apps add to the dossier page, without this app importing them (the
import layers run portal ← calls ← applications ← reviews): reviews adds the published
decision with its letter. Registered from an AppConfig.ready():
``register_dossier_section(template_name, context)`` where ``context(dossier, user)`` returns
the section's context, or None to show nothing."""

from __future__ import annotations

from typing import Callable

DOSSIER_SECTIONS: list[tuple[str, Callable]] = []


def register_dossier_section(template_name: str, context: Callable) -> None:
    if all(name != template_name for name, _ctx in DOSSIER_SECTIONS):
        DOSSIER_SECTIONS.append((template_name, context))


def dossier_sections(dossier, user) -> list[dict]:
    """[{"template": ..., "context": {...}}] of the sections that have something to show."""
    shown = []
    for template_name, context in DOSSIER_SECTIONS:
        data = context(dossier, user)
        if data is not None:
            shown.append({"template": template_name, "context": data})
    return shown
