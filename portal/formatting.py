"""French formatting of money and dates, shared by templates, e-mails and PDFs."""

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.utils import dateformat
from django.utils.translation import get_language
from django.utils.translation import gettext as _

PARIS = ZoneInfo("Europe/Paris")
NBSP = "\u00a0"


_CENT = Decimal("0.01")


def format_money(value, *, with_symbol: bool = True) -> str:
    """`Decimal("12000")` → ``12 000,00 €`` (no-break spaces, French grouping). A Decimal is
    neither converted again nor compared with an int (each such comparison checks the int's
    abstract type: a fifth of the committee page's agenda once went there)."""
    if value is None or (isinstance(value, str) and value == ""):
        return ""
    amount = (value if isinstance(value, Decimal) else Decimal(value)).quantize(
        _CENT, rounding=ROUND_HALF_UP)
    sign = "-" if amount and amount.is_signed() else ""
    units, cents = f"{abs(amount):.2f}".split(".")
    groups = []
    while units:
        groups.insert(0, units[-3:])
        units = units[:-3]
    text = f"{sign}{NBSP.join(groups)},{cents}"
    return f"{text}{NBSP}€" if with_symbol else text


def to_paris(value: datetime) -> datetime:
    return value.astimezone(PARIS)


def format_date_fr(value: date) -> str:
    """``18 septembre 2023``."""
    months = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
              "septembre", "octobre", "novembre", "décembre"]
    if isinstance(value, datetime):
        value = to_paris(value).date()
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {months[value.month - 1]} {value.year}"


WEEKDAYS_FR = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]


def _french() -> bool:
    return (get_language() or "fr").startswith("fr")


def format_date_local(value: date, *, weekday: bool = False) -> str:
    """In the active language, a datetime taken in Paris time: ``18 septembre 2023``
    (``lundi 18 septembre 2023``) in French, ``September 18, 2023`` in English."""
    if isinstance(value, datetime):
        value = to_paris(value).date()
    if _french():
        text = format_date_fr(value)
        return f"{WEEKDAYS_FR[value.weekday()]} {text}" if weekday else text
    return dateformat.format(value, "l, F j, Y" if weekday else "F j, Y")


def format_time_local(value: datetime, *, seconds: bool = False) -> str:
    """Paris time: ``6 h 10`` in French, ``06:10`` in English; with seconds, ``06:10:42``
    in both (a timestamp, as on a receipt)."""
    local = to_paris(value)
    if seconds:
        return local.strftime("%H:%M:%S")
    if _french():
        return f"{local.hour}{NBSP}h{NBSP}{local.minute:02d}"
    return local.strftime("%H:%M")


def format_datetime_local(value: datetime | None, *, seconds: bool = False,
                          weekday: bool = False) -> str:
    """``18 septembre 2023 à 23 h 59`` / ``September 18, 2023 at 23:59``, in Paris time."""
    if value is None:
        return ""
    return _("%(date)s à %(time)s") % {"date": format_date_local(value, weekday=weekday),
                                       "time": format_time_local(value, seconds=seconds)}


def format_file_size(size) -> str:
    """A file size as French administrations write it: ``850 octets``, ``12,3 Ko``,
    ``1,2 Mo`` (1 Ko = 1 024 octets), with a no-break space."""
    if size is None or size == "":
        return ""
    size = int(size)
    if size < 1024:
        return f"{size}\u00a0octet" + ("s" if size > 1 else "")
    for unit, power in (("Ko", 1), ("Mo", 2), ("Go", 3)):
        value = size / 1024 ** power
        if value < 1024 or unit == "Go":
            text = f"{value:.1f}".replace(".", ",").removesuffix(",0")
            return f"{text}\u00a0{unit}"
    return str(size)
