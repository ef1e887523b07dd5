"""iCalendar (RFC 5545) feeds of the calls' dates, built with the `icalendar` package."""

from datetime import timedelta
from urllib.parse import urljoin

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from portal.formatting import format_datetime_local


def _event(uid: str, summary: str, url: str, description: str) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", timezone.now())
    event.add("summary", summary)
    event.add("url", url)
    event.add("description", description)
    return event


def calls_calendar(tenant, calls, *, base_url: str) -> bytes:
    """One VCALENDAR with, per call: the opening, the deadline (an instant, in UTC) and the
    committee (an all-day event)."""
    cal = Calendar()
    cal.add("prodid", "-//Portail des contrats de filiere musiques actuelles//FR")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", _("Appels à projets — %(name)s") % {"name": tenant.name})
    cal.add("x-wr-timezone", "Europe/Paris")
    host = base_url.split("//", 1)[-1].strip("/") or "portail"
    for call in calls:
        url = urljoin(base_url, reverse("calls:call_detail", kwargs={
            "tenant_slug": tenant.slug, "call_slug": call.slug}))
        if call.closes_at:
            event = _event(f"call-{call.pk}-closes@{host}",
                           _("Clôture : %(title)s") % {"title": call.title}, url,
                           _("Date limite de dépôt : %(when)s (heure de Paris).")
                           % {"when": format_datetime_local(call.closes_at)})
            event.add("dtstart", call.closes_at)
            event.add("dtend", call.closes_at + timedelta(minutes=1))
            cal.add_component(event)
        if call.opens_at:
            event = _event(f"call-{call.pk}-opens@{host}",
                           _("Ouverture : %(title)s") % {"title": call.title}, url,
                           _("Ouverture des candidatures : %(when)s (heure de Paris).")
                           % {"when": format_datetime_local(call.opens_at)})
            event.add("dtstart", call.opens_at)
            event.add("dtend", call.opens_at + timedelta(minutes=1))
            cal.add_component(event)
        if call.committee_date:
            event = _event(f"call-{call.pk}-committee@{host}",
                           _("Comité de sélection : %(title)s") % {"title": call.title}, url,
                           _("Comité de sélection de l'appel « %(title)s ».")
                           % {"title": call.title})
            event.add("dtstart", call.committee_date)
            event.add("dtend", call.committee_date + timedelta(days=1))
            cal.add_component(event)
    return cal.to_ical()
