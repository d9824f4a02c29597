"""Bad values get a clear message at staging and nothing is staged or sent (the simulator
sees no call); good ones are parsed per the locale's decimal point and the currency."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kinxpro_desktop.core.listing_edits import (
    PRICE,
    BulkEdit,
    BulkMode,
    InvalidEdit,
    parse_price,
)
from kinxpro_desktop.core.models import Listing, Money
from kinxpro_desktop.sandbox import Simulator
from kinxpro_desktop.services.listing_edits import EditValue, ListingEdits
from kinxpro_desktop.store.database import Database

from .conftest import JP, US, pick


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("abc", "'abc' is not a price"),
        ("-1", "more than 0"),
        ("0", "more than 0"),
        ("0.001", "at most 2 decimals"),
        ("1e12", "'1e12' is not a price"),
        ("1000000000000", "sanity limit"),
        ("", "Enter a price"),
        ("   ", "Enter a price"),
        ("12,50", "use '.' as the decimal point"),
    ],
)
def test_bad_prices_are_refused_and_nothing_is_sent(
    edits: ListingEdits, sim: Simulator, calls: list[tuple[str, str]], text: str, words: str
) -> None:
    sku = pick(sim)[0]
    with pytest.raises(InvalidEdit, match=words):
        edits.stage(sku, US, EditValue(price=text))
    assert edits.pending() == []
    assert calls == []


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("abc", "not a whole number"),
        ("-1", "cannot be negative"),
        ("1.5", "not a whole number"),
        ("1e12", "not a whole number"),
        ("1000000000000", "sanity limit"),
        ("", "Enter a quantity"),
    ],
)
def test_bad_quantities_are_refused_and_nothing_is_sent(
    edits: ListingEdits, sim: Simulator, calls: list[tuple[str, str]], text: str, words: str
) -> None:
    sku = pick(sim)[0]
    with pytest.raises(InvalidEdit, match=words):
        edits.stage(sku, US, EditValue(quantity=text))
    assert edits.pending() == []
    assert calls == []


def test_decimal_comma_locale_reads_12_50_as_twelve_fifty(
    edits: ListingEdits, sim: Simulator, calls: list[tuple[str, str]]
) -> None:
    sku = pick(sim)[0]
    [change] = edits.stage(sku, US, EditValue(price="12,50"), decimal_point=",")
    assert change.new_value == "12.50"
    assert parse_price("1.234,50", "EUR", ",") == Decimal("1234.50")
    with pytest.raises(InvalidEdit, match="use ',' as the decimal point"):
        parse_price("12.50", "EUR", ",")
    assert calls == []


def test_jpy_price_with_decimals_is_refused(
    edits: ListingEdits, db: Database, sim: Simulator, calls: list[tuple[str, str]]
) -> None:
    sku = "KX-JP-0001"  # the simulator sells in North America only: a stored JP listing
    db.listings.replace_marketplace(
        JP,
        [Listing(sku, JP, "B0JP", "Demo", Money(Decimal(1200), "JPY"), 3, "Active", "MFN")],
        now=sim.now(),
    )
    with pytest.raises(InvalidEdit, match="JPY have no decimals"):
        edits.stage(sku, JP, EditValue(price="1.5"))
    [change] = edits.stage(sku, JP, EditValue(price="1500"))
    assert change.new_value == "1500"
    assert calls == []


def test_fba_quantity_is_not_editable_and_says_why(
    edits: ListingEdits, sim: Simulator, calls: list[tuple[str, str]]
) -> None:
    sku = pick(sim, channel="AFN")[0]
    with pytest.raises(InvalidEdit, match="fulfilled by Amazon"):
        edits.stage(sku, US, EditValue(quantity="5"))
    # the price of an FBA listing is the seller's
    [change] = edits.stage(sku, US, EditValue(price="19.99"))
    assert change.field == PRICE
    assert calls == []


def test_unknown_sku_and_empty_edit_are_refused(edits: ListingEdits, sim: Simulator) -> None:
    with pytest.raises(InvalidEdit, match="no listing 'NOPE'"):
        edits.stage("NOPE", US, EditValue(price="1"))
    with pytest.raises(InvalidEdit, match="Give a new price or a new quantity"):
        edits.stage(pick(sim)[0], US, EditValue())


def test_invalid_quantity_with_valid_price_stages_neither(
    edits: ListingEdits, sim: Simulator
) -> None:
    sku = pick(sim)[0]
    with pytest.raises(InvalidEdit):
        edits.stage(sku, US, EditValue(price="9.99", quantity="-3"))
    assert edits.pending() == []


def test_bulk_percent_rounds_to_the_minor_unit_and_is_all_or_nothing(
    edits: ListingEdits, sim: Simulator, calls: list[tuple[str, str]]
) -> None:
    skus = pick(sim, n=3)
    olds = {s: edits.listing(s, US).price for s in skus}
    staged = edits.stage_bulk(
        [(s, US) for s in skus], BulkEdit(PRICE, BulkMode.PERCENT, Decimal("-10"))
    )
    for change in staged:
        old = olds[change.sku]
        assert old is not None
        expected = (old.amount * Decimal("0.9")).quantize(Decimal("0.01"))
        assert Decimal(change.new_value) == expected
        assert change.old_value == str(old.amount.quantize(Decimal("0.01")))
    # an adjustment that would make one price negative stages nothing more
    before = edits.pending()
    with pytest.raises(InvalidEdit, match="Nothing was staged"):
        edits.stage_bulk([(s, US) for s in skus], BulkEdit(PRICE, BulkMode.ADD, Decimal("-100000")))
    assert edits.pending() == before
    assert calls == []


def test_restaging_replaces_the_open_change(edits: ListingEdits, sim: Simulator) -> None:
    sku = pick(sim)[0]
    edits.stage(sku, US, EditValue(price="10.00"))
    edits.stage(sku, US, EditValue(price="11.00"))
    [change] = edits.pending()
    assert change.new_value == "11.00"
    assert edits.discard([change.change_id]) == 1
    assert edits.pending() == []
