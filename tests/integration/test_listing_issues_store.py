"""Listing issues in a real SQLCipher store (issue 10, Listings 1): new rows hold Amazon's
Issue objects, rows written before hold flattened strings (no migration: both read), a
damaged ``issues_json`` reads as "issues unreadable" and never fails a page; the errors-only
and any-issue filters count what the decoder reads; the listings export shows the text."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert, select, text

from kinxpro_desktop.core.listing_issues import (
    ERROR,
    INFO,
    UNREADABLE,
    WARNING,
    ListingIssue,
    decode_issues,
)
from kinxpro_desktop.core.models import Listing, Money
from kinxpro_desktop.services.exports import Exporter
from kinxpro_desktop.store.database import Database
from kinxpro_desktop.store.listing_queries import LISTING_SORT, ListingFilter, ListingQueries
from kinxpro_desktop.store.schema import listings
from tests.support.simulator import db_fixture

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
US = "ATVPDKIKX0DER"
WEIGHT = ListingIssue(
    "90220",
    ERROR,
    "'item_package_weight' is required but not supplied.",
    ("item_package_weight",),
    ("MISSING_ATTRIBUTE",),
)
IMAGE = ListingIssue("18027", WARNING, "Image too small.", ("main_product_image_locator",))
NOTE = ListingIssue("99300", INFO, "A note.")

db = db_fixture()

#: stored as older Kinxpro versions (and damage) left them: sku -> issues_json
RAW = {
    "OLD-ERR": json.dumps(["Error 90220 (item_name): 'item_name' is required."]),
    "OLD-WARN": json.dumps(["Warning 18027: Image too small."]),
    "OLD-NOTE": json.dumps(["Note: something"]),
    "OLD-PLAIN": json.dumps(["Missing image"]),  # no severity word: an error
    "MIXED": json.dumps(["Warning 1: old", WEIGHT.to_json()]),
    "BROKEN": '[{"code": "90220", "severity": "ERR',  # truncated
    "NOT-A-LIST": '{"code": "90220"}',
    "ODD-ELEMENT": "[42]",
    "BLANK": "",
    "EMPTY": "[]",
}
ERRORS = {"NEW-ERR", "OLD-ERR", "OLD-PLAIN", "MIXED", "BROKEN", "NOT-A-LIST", "ODD-ELEMENT"}
ANY = ERRORS | {"NEW-WARN", "NEW-NOTE", "OLD-WARN", "OLD-NOTE"}


def _listing(sku: str, issues: tuple[ListingIssue, ...]) -> Listing:
    return Listing(
        sku, US, f"B0{sku[:8]:0>8}", f"Title {sku}", Money(Decimal("9.99"), "USD"), 3, "Active",
        "DEFAULT", issues,
    )  # fmt: skip


def _seed(db: Database) -> None:
    db.listings.replace_marketplace(
        US,
        [
            _listing("NEW-ERR", (IMAGE, WEIGHT)),
            _listing("NEW-WARN", (IMAGE, NOTE)),
            _listing("NEW-NOTE", (NOTE,)),
            _listing("NEW-NONE", ()),
        ],
        now=NOW,
    )
    base = {"marketplace_id": US, "asin": "B0", "title": "t", "quantity": 1, "status": "Active"}
    with db.engine.begin() as conn:
        conn.execute(
            insert(listings),
            [
                {
                    **base,
                    "sku": sku,
                    "fulfillment_channel": "DEFAULT",
                    "issues_json": stored,
                    "updated_at": "2026-11-27T12:00:00.000000Z",
                }
                for sku, stored in RAW.items()
            ],
        )


def test_new_rows_hold_amazons_objects_and_read_back_ordered(db: Database) -> None:
    _seed(db)
    got = db.listings.get(US, "NEW-ERR")
    assert got is not None and got.issues == (WEIGHT, IMAGE)
    with db.engine.connect() as conn:
        stored = conn.execute(
            select(listings.c.issues_json).where(listings.c.sku == "NEW-ERR")
        ).scalar_one()
    assert [i["code"] for i in json.loads(stored)] == ["18027", "90220"]  # as Amazon sent
    assert json.loads(stored)[1]["attributeNames"] == ["item_package_weight"]


def test_old_strings_and_damage_read_without_failing_the_page(db: Database) -> None:
    _seed(db)
    q = ListingQueries(db.engine)
    page = q.listing_page(ListingFilter(), "sku", False, 0, 200)
    by_sku = {r.sku: r for r in page}
    assert len(page) == 14
    assert by_sku["OLD-ERR"].issues == (
        ListingIssue("", ERROR, "Error 90220 (item_name): 'item_name' is required."),
    )
    assert by_sku["OLD-WARN"].issues[0].severity == WARNING
    assert by_sku["OLD-NOTE"].issues[0].severity == INFO
    assert by_sku["OLD-PLAIN"].issues[0].text == "Error: Missing image"
    assert [i.severity for i in by_sku["MIXED"].issues] == [ERROR, WARNING]
    for damaged in ("BROKEN", "NOT-A-LIST", "ODD-ELEMENT"):
        assert UNREADABLE in by_sku[damaged].issues
    assert by_sku["BLANK"].issues == by_sku["EMPTY"].issues == ()
    got = db.listings.get(US, "BROKEN")
    assert got is not None and got.issues == (UNREADABLE,)


def test_errors_only_and_any_issue_filters_equal_the_decoders_counts(db: Database) -> None:
    _seed(db)
    q = ListingQueries(db.engine)
    with db.engine.connect() as conn:
        stored = conn.execute(text("SELECT sku, issues_json FROM listings")).all()
    decoded = {sku: decode_issues(value) for sku, value in stored}
    by_decoder_errors = {s for s, found in decoded.items() if any(i.is_error for i in found)}
    by_decoder_any = {s for s, found in decoded.items() if found}
    assert by_decoder_errors == ERRORS and by_decoder_any == ANY
    errors = ListingFilter(with_issues=True, errors_only=True)
    assert q.count_listings(errors) == len(ERRORS)
    assert q.count_listings(ListingFilter(with_issues=True)) == len(ANY)
    keys = q.listing_keys(errors, "sku", False)
    assert {r.sku for r in q.listings_by_id(keys).values()} == ERRORS
    # combined with the other filters in one statement
    assert q.count_listings(ListingFilter(text="OLD", errors_only=True)) == 2


def test_listings_export_shows_issue_text_not_json(db: Database, tmp_path: Path) -> None:
    _seed(db)
    Exporter(db, clock=lambda: NOW).export("listings", "csv", tmp_path / "l.csv")
    rows = list(csv.reader(io.StringIO((tmp_path / "l.csv").read_text("utf-8-sig"))))
    header = rows[0]
    assert header[-1] == "Issues"
    cell = {r[0]: r[header.index("Issues")] for r in rows[1:-1]}
    assert cell["NEW-ERR"] == (
        "Error 90220 · item_package_weight: 'item_package_weight' is required but not "
        "supplied.; Warning 18027 · main_product_image_locator: Image too small."
    )
    assert cell["OLD-WARN"] == "Warning 18027: Image too small."
    assert cell["BROKEN"].startswith("issues unreadable")
    assert cell["NEW-NONE"] == cell["EMPTY"] == ""
    assert not any("{" in c or "ListingIssue(" in c for c in cell.values())


EDGES = [
    "[]", "", "  ", "[ ]", "not json", "{}", "null", '"text"', "[1]", "[null]", "[[]]",
    '["Missing image"]', '["Warning 1: x"]', '["WARNING: x"]', '["note: y"]', '["Info"]',
    '[{"code": "1", "severity": "WARNING", "message": "m"}]',
    '[{"code": "1", "severity": "warning ", "message": "m"}]',
    '[{"code": "1", "severity": "ERROR", "message": "m"}]',
    '[{"code": "1", "severity": "FATAL", "message": "m"}]',
    '[{"code": "1", "severity": 3, "message": "m"}]',
    '[{"code": "1", "message": "m"}]',
    '[{"severity": "INFO"}, "Note: z"]',
    '[{"severity": "INFO"}, "z"]',
]  # fmt: skip


def test_sql_filters_follow_the_decoders_rules_on_every_shape(db: Database) -> None:
    """The SQL clauses and ``decode_issues`` are two writings of one rule: any stored shape
    counts (and sorts) the same in both."""
    base = {"marketplace_id": US, "asin": "B0", "title": "t", "quantity": 1, "status": "Active"}
    with db.engine.begin() as conn:
        conn.execute(
            insert(listings),
            [
                {
                    **base,
                    "sku": f"E{n:02d}",
                    "fulfillment_channel": "DEFAULT",
                    "issues_json": stored,
                    "updated_at": "2026-11-27T12:00:00.000000Z",
                }
                for n, stored in enumerate(EDGES)
            ],
        )
    q = ListingQueries(db.engine)
    errors = {
        r.sku
        for r in q.listings_by_id(
            q.listing_keys(ListingFilter(errors_only=True), "sku", False)
        ).values()
    }
    anything = {
        r.sku
        for r in q.listings_by_id(
            q.listing_keys(ListingFilter(with_issues=True), "sku", False)
        ).values()
    }
    for n, stored in enumerate(EDGES):
        decoded = decode_issues(stored)
        assert (f"E{n:02d}" in errors) == any(i.is_error for i in decoded), stored
        assert (f"E{n:02d}" in anything) == bool(decoded), stored
    with db.engine.connect() as conn:
        ranks = dict(conn.execute(select(listings.c.sku, LISTING_SORT["issues"])).all())
    for n, stored in enumerate(EDGES):
        decoded = decode_issues(stored)
        severities = {i.severity for i in decoded}
        rank = 3 if ERROR in severities else 2 if WARNING in severities else int(bool(decoded))
        assert ranks[f"E{n:02d}"] == rank, stored
