"""Amounts in French words for decision letters: 12000 → « douze mille euros »."""

from decimal import ROUND_HALF_UP, Decimal

from num2words import num2words


def euros_in_words(amount) -> str:
    value = Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if value < 0:
        raise ValueError("negative amount")
    euros = int(value)
    cents = int((value - euros) * 100)
    words = f"{num2words(euros, lang='fr')} euro{'s' if euros > 1 else ''}"
    # « un million d'euros », « deux millions d'euros »
    if euros >= 1_000_000 and euros % 1_000_000 == 0:
        words = f"{num2words(euros, lang='fr')} d'euros"
    if cents:
        cents_words = f"{num2words(cents, lang='fr')} centime{'s' if cents > 1 else ''}"
        words = f"{words} et {cents_words}" if euros else cents_words
    return words
