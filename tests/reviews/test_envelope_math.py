from decimal import Decimal

from reviews.envelope import EnvelopeLine, advance_and_balance, overruns, split_check

D = Decimal


def test_advance_is_the_category_percentage_rounded_half_up_and_balance_the_rest():
    assert advance_and_balance(D("12345.67"), D("80")) == (D("9876.54"), D("2469.13"))
    assert advance_and_balance(D("10000.01"), D("70")) == (D("7000.01"), D("3000.00"))
    advance, balance = advance_and_balance(D("0.05"), D("50"))
    assert advance + balance == D("0.05") and advance == D("0.03")


def test_no_advance_percentage_means_everything_on_balance():
    assert advance_and_balance(D("5000"), None) == (D("0.00"), D("5000.00"))


def test_envelope_remaining_and_overrun_are_exact_to_the_cent():
    line = EnvelopeLine("Appel", D("210000.00"), D("209999.99"))
    assert line.remaining == D("0.01") and not line.exceeded
    assert overruns([line], D("0.01")) == []
    over = overruns([line], D("0.02"))
    assert len(over) == 1 and over[0].remaining == D("-0.01")


def test_unknown_envelope_is_never_exceeded():
    assert overruns([EnvelopeLine("Contrat", None, D("1e9"))], D("1")) == []


def test_three_decimal_tenths_do_not_drift_like_floats():
    line = EnvelopeLine("x", D("0.30"), D("0"))
    for _ in range(3):
        line = line.with_amount(D("0.10"))
    assert line.remaining == D("0.00") and not line.exceeded


def test_funder_shares_must_add_up_to_the_amount():
    assert split_check(D("15000"), {"drac": D("5000"), "cnm": D("5000"), "region": D("5000")})
    assert not split_check(D("15000"), {"drac": D("5000"), "cnm": D("5000")})
    assert not split_check(D("0"), {"drac": D("-1"), "cnm": D("1")})
