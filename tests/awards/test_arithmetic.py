"""The follow-up's money: Decimal, to the cent, per-funder parts that always add up."""

from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from awards.arithmetic import money, reevaluate, split

cents = st.integers(min_value=1, max_value=5_000_000).map(lambda c: D(c) / 100)
FUNDERS = ("drac", "cnm", "region")


@st.composite
def grants(draw):
    n = draw(st.integers(min_value=1, max_value=3))
    shares = {f: draw(cents) for f in FUNDERS[:n]}
    pct = draw(st.sampled_from([D("0"), D("50"), D("70"), D("80"), D("100")]))
    advances = {f: money(a * pct / 100) for f, a in shares.items()}
    planned = draw(cents)
    realised = draw(st.integers(min_value=0, max_value=int(planned * 150)).map(
        lambda c: D(c) / 100))
    return shares, advances, planned, realised


def test_split_gives_leftover_cents_to_largest_remainders():
    assert split(D("100.00"), {"drac": D(1), "cnm": D(1), "region": D(1)}) == {
        "drac": D("33.34"), "cnm": D("33.33"), "region": D("33.33")}
    assert split(D("10.00"), {"drac": D("8000"), "cnm": D("9000"), "region": D("7500.50")}) == {
        "drac": D("3.27"), "cnm": D("3.67"), "region": D("3.06")}


@settings(max_examples=300, deadline=None)
@given(total=cents, weights=st.lists(cents, min_size=1, max_size=3))
def test_split_always_adds_up_to_the_cent(total, weights):
    parts = split(total, dict(zip(FUNDERS, weights)))
    assert sum(parts.values()) == money(total)
    assert all(p >= 0 and p == p.quantize(D("0.01")) for p in parts.values())


def test_reevaluation_pro_rata_of_realised_eligible_expenses():
    # 24 500,50 € granted on 40 000 € of eligible expenses; 30 001 € realised: 75,0025 %.
    r = reevaluate(granted=D("24500.50"),
                   shares={"drac": D("8000"), "cnm": D("9000"), "region": D("7500.50")},
                   advances={"drac": D("6400"), "cnm": D("7200"), "region": D("6000.40")},
                   planned_eligible=D("40000"), realised_eligible=D("30001.00"))
    assert r.amount == D("18375.99")  # 24 500,50 × 30 001 / 40 000 = 18 375,98751…
    # 6 000,2008 / 6 750,2259 / 5 625,5633: one cent left over, to the largest remainder (CNM)
    assert {f.funder: f.new_share for f in r.funders} == {
        "drac": D("6000.20"), "cnm": D("6750.23"), "region": D("5625.56")}
    assert {f.funder: f.balance for f in r.funders} == {
        "drac": D("-399.80"), "cnm": D("-449.77"), "region": D("-374.84")}
    assert r.released == D("6124.51")
    assert r.balance == D("-1224.41")


def test_reevaluation_is_capped_by_the_calls_share_of_the_realised_base():
    # 80 % of the eligible expenses at most (Pays de la Loire): 10 000 € realised → 8 000 €.
    r = reevaluate(granted=D("12000"), shares={"region": D("12000")},
                   advances={"region": D("9600")}, planned_eligible=D("14000"),
                   realised_eligible=D("10000"), max_share=D("80"), cap_base=D("10000"))
    assert r.pro_rata == D("8571.43")
    assert r.cap == D("8000.00") and r.capped
    assert r.amount == D("8000.00")
    assert r.funders[0].to_recover == D("1600.00")


def test_higher_realised_expenses_never_raise_the_grant():
    r = reevaluate(granted=D("10000"), shares={"cnm": D("10000")}, advances={"cnm": D("8000")},
                   planned_eligible=D("20000"), realised_eligible=D("25000"))
    assert r.amount == D("10000.00") and not r.reduced
    assert r.funders[0].balance == D("2000.00")


@settings(max_examples=400, deadline=None)
@given(grants())
def test_reevaluation_splits_always_add_up(grant):
    shares, advances, planned, realised = grant
    granted = sum(shares.values())
    r = reevaluate(granted=granted, shares=shares, advances=advances,
                   planned_eligible=planned, realised_eligible=realised)
    assert r.amount == r.amount.quantize(D("0.01"))
    assert D("0") <= r.amount <= money(granted)
    assert sum(f.new_share for f in r.funders) == r.amount
    assert sum(f.balance for f in r.funders) == r.amount - sum(advances.values())
    assert sum(f.released for f in r.funders) == r.released
    for f in r.funders:
        assert D("0") <= f.new_share <= f.share
        assert f.to_pay - f.to_recover == f.balance
        assert f.to_pay == 0 or f.to_recover == 0
