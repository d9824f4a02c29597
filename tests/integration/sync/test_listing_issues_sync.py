"""Listing issues from the simulator's real answers (issue 10, Listings 1): searchListingsItems
and getListingsItem over loopback HTTP, mapped to ListingIssue, stored by sync as Amazon's
Issue objects in a real SQLCipher store, read back, and filtered (errors only) in SQL."""

from __future__ import annotations

import json

from sqlalchemy import select

from kinxpro_desktop.core.listing_issues import ERROR, WARNING, ListingIssue
from kinxpro_desktop.core.progress import CancelToken
from kinxpro_desktop.sandbox import Simulator
from kinxpro_desktop.sandbox.data import Listing as SimListing
from kinxpro_desktop.sandbox.listings import inject_listing_issue
from kinxpro_desktop.services.sync import SyncService
from kinxpro_desktop.spapi.gateway import SpApiGateway
from kinxpro_desktop.spapi.mapping import listing_issues
from kinxpro_desktop.store.database import Database
from kinxpro_desktop.store.listing_queries import ListingFilter, ListingQueries
from kinxpro_desktop.store.schema import listings

WEIGHT = "'item_package_weight' is required but not supplied."


def _clean(sim: Simulator) -> SimListing:
    """A live listing the simulator reports no issue for."""
    return next(li for li in sim.state.world.listings if li.status and not li.issues)


def _search_item(gateway: SpApiGateway, market: str, sku: str) -> dict[str, object]:
    token: str | None = None
    while True:
        body = gateway.search_listings(market, token, CancelToken())
        for item in body["items"]:
            if item["sku"] == sku:
                return dict(item)
        token = (body.get("pagination") or {}).get("nextToken")
        assert token, f"{sku} not in searchListingsItems"


def test_search_and_get_answers_map_to_structured_issues(
    sim: Simulator, gateway: SpApiGateway
) -> None:
    li = _clean(sim)
    inject_listing_issue(sim.state, li.sku, WEIGHT, code="90220")
    inject_listing_issue(
        sim.state,
        li.sku,
        "The main image is too small.",
        code="18027",
        attribute="main_product_image_locator",
        severity="WARNING",
    )
    expected = (
        ListingIssue("90220", ERROR, WEIGHT, ("item_package_weight",), ("MISSING_ATTRIBUTE",)),
        ListingIssue(
            "18027",
            WARNING,
            "The main image is too small.",
            ("main_product_image_locator",),
            ("INVALID_ATTRIBUTE",),
        ),
    )
    searched = _search_item(gateway, li.marketplace_id, li.sku)
    assert listing_issues(searched) == (li.sku, expected)
    got = gateway.listings.get_item(li.sku, li.marketplace_id, cancel=CancelToken())
    assert listing_issues(got) == (li.sku, expected)
    assert expected[0].text == f"Error 90220 · item_package_weight: {WEIGHT}"


def test_sync_stores_amazons_issue_objects_and_reads_them_back(
    sim: Simulator, db: Database, service: SyncService
) -> None:
    li = _clean(sim)
    inject_listing_issue(sim.state, li.sku, WEIGHT, code="90220")
    service.run(CancelToken(), lambda _: None)
    got = db.listings.get(li.marketplace_id, li.sku)
    assert got is not None
    assert got.issues == (
        ListingIssue("90220", ERROR, WEIGHT, ("item_package_weight",), ("MISSING_ATTRIBUTE",)),
    )
    with db.engine.connect() as conn:
        stored = conn.execute(
            select(listings.c.issues_json).where(
                listings.c.sku == li.sku, listings.c.marketplace_id == li.marketplace_id
            )
        ).scalar_one()
    assert json.loads(stored) == [
        {
            "code": "90220",
            "severity": "ERROR",
            "message": WEIGHT,
            "attributeNames": ["item_package_weight"],
            "categories": ["MISSING_ATTRIBUTE"],
        }
    ]
    # every listing the simulator reports, with its issues' codes and severities
    for world in sim.state.world.listings:
        if world.deleted:
            continue
        row = db.listings.get(world.marketplace_id, world.sku)
        assert row is not None
        assert sorted((i.code, i.severity) for i in row.issues) == sorted(
            (str(i["code"]), str(i["severity"])) for i in world.issues
        )


def test_errors_only_filter_counts_what_the_simulator_reports_as_errors(
    sim: Simulator, db: Database, service: SyncService
) -> None:
    li = _clean(sim)
    inject_listing_issue(sim.state, li.sku, "Image too small.", code="18027", severity="WARNING")
    service.run(CancelToken(), lambda _: None)
    live = [w for w in sim.state.world.listings if not w.deleted]
    with_errors = sum(1 for w in live if any(i["severity"] == "ERROR" for i in w.issues))
    with_any = sum(1 for w in live if w.issues)
    assert 0 < with_errors < with_any  # the seeded world has both kinds
    q = ListingQueries(db.engine)
    assert q.count_listings(ListingFilter(errors_only=True)) == with_errors
    assert q.count_listings(ListingFilter(with_issues=True)) == with_any
    assert q.count_listings(ListingFilter(with_issues=True, errors_only=True)) == with_errors
    keys = q.listing_keys(ListingFilter(errors_only=True), "sku", False)
    rows = q.listings_by_id(keys)
    assert len(rows) == with_errors and all(
        any(i.is_error for i in r.issues) for r in rows.values()
    )
    assert li.sku not in {r.sku for r in rows.values()}  # a warning is not an error
