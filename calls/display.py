"""Dates of the calls in French, in Europe/Paris: deadlines and countdowns rendered on the
server (no JavaScript needed)."""

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.formatting import PARIS, format_date_local, format_time_local

from .enums import CallPhase


def _relative(target: datetime, now: datetime, *, today, tomorrow, in_days) -> str:
    days = (target.astimezone(PARIS).date() - now.astimezone(PARIS).date()).days
    if days <= 0:
        return today % {"time": format_time_local(target)}
    if days == 1:
        return tomorrow % {"time": format_time_local(target)}
    return in_days(days) % {"days": days}


def countdown(call, now: datetime | None = None) -> str:
    """"clôture dans 3 jours", "clôture demain à 23 h 59", "ouverture dans 12 jours",
    "clos depuis le 18 septembre 2023" (calendar days in Paris time)."""
    now = now or timezone.now()
    phase = call.phase(now)
    if phase == CallPhase.OPEN and call.closes_at is not None:
        return _relative(call.closes_at, now,
                         today=_("clôture aujourd'hui à %(time)s"),
                         tomorrow=_("clôture demain à %(time)s"),
                         in_days=lambda n: ngettext("clôture dans %(days)d jour",
                                                    "clôture dans %(days)d jours", n))
    if phase == CallPhase.UPCOMING and call.opens_at is not None:
        return _relative(call.opens_at, now,
                         today=_("ouverture aujourd'hui à %(time)s"),
                         tomorrow=_("ouverture demain à %(time)s"),
                         in_days=lambda n: ngettext("ouverture dans %(days)d jour",
                                                    "ouverture dans %(days)d jours", n))
    if phase in (CallPhase.CLOSED, CallPhase.ARCHIVED):
        if call.closes_at is not None and call.closes_at <= now:
            return _("clos depuis le %(date)s") % {"date": format_date_local(call.closes_at)}
        return _("clos")
    return ""
