from decimal import Decimal

import pytest

from portal.amounts import euros_in_words
from portal.formatting import format_date_fr, format_money


@pytest.mark.parametrize("amount, words", [
    ("12000", "douze mille euros"),
    ("5000", "cinq mille euros"),
    ("15000", "quinze mille euros"),
    ("25000", "vingt-cinq mille euros"),
    ("210000", "deux cent dix mille euros"),
    ("80", "quatre-vingts euros"),
    ("1", "un euro"),
    ("0.01", "un centime"),
    ("9600.50", "neuf mille six cents euros et cinquante centimes"),
    ("2000000", "deux millions d'euros"),
])
def test_euros_in_words(amount, words):
    assert euros_in_words(Decimal(amount)) == words


@pytest.mark.parametrize("amount, text", [
    ("12000", "12\u00a0000,00\u00a0€"),
    ("210000.5", "210\u00a0000,50\u00a0€"),
    ("999.999", "1\u00a0000,00\u00a0€"),
    ("0", "0,00\u00a0€"),
    ("-1500", "-1\u00a0500,00\u00a0€"),
    ("1234567.89", "1\u00a0234\u00a0567,89\u00a0€"),
])
def test_format_money_french(amount, text):
    assert format_money(Decimal(amount)) == text


def test_format_date_fr():
    from datetime import date, datetime, timezone

    assert format_date_fr(date(2023, 9, 18)) == "18 septembre 2023"
    assert format_date_fr(date(2024, 1, 1)) == "1er janvier 2024"
    # 22:30 UTC on 18 September is already the 19th in Paris.
    assert format_date_fr(datetime(2023, 9, 18, 22, 30, tzinfo=timezone.utc)) == "19 septembre 2023"
